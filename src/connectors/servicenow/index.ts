import {
  type Connector,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  checkedObject,
  defineConnector,
  objectDescriptions,
  openVendorHttp,
} from "../sdk/index.ts";
import { serviceNowAuth } from "./auth.ts";
import { describeServiceNowObject } from "./describe.ts";
import { readServiceNow } from "./read.ts";
import { errorRules, objects, type ServiceNowObject } from "./spec.ts";
import { testServiceNowConnection } from "./test-connection.ts";

/** The ServiceNow connector: Table API with keyset paging, deletions from sys_audit_delete. */
export const servicenow = defineConnector<ServiceNowObject>({
  id: "servicenow",
  displayName: "ServiceNow",
  authKinds: ["basic", "oauth_password", "oauth_refresh", "oauth_client_credentials"],
  baseUrl: "{instanceUrl}",
  objects,
  errors: errorRules,
  // The instance's inbound REST rate rules count token requests too.
  pacing: { meterTokenEndpoint: true },
  open: openServiceNow,
});

/** Opens a live ServiceNow connector on one instance. */
export function openServiceNow(profile: ConnectorProfileConfig, options: ConnectorOptions = {}): Connector {
  const { http, close } = openVendorHttp(servicenow, profile, options, (timer) => ({
    auth: (tokenHttp) => serviceNowAuth(profile, tokenHttp, timer, options.onRefreshToken),
  }));
  return {
    testConnection: () => testServiceNowConnection(http),
    listObjects: () => Promise.resolve(objectDescriptions(objects)),
    describeObject: async (name) =>
      describeServiceNowObject(http, checkedObject("ServiceNow", objects, name)),
    read: (request) => readServiceNow(http, request),
    close,
  };
}
