import {
  type Connector,
  ConnectorError,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  defineConnector,
  HttpClient,
  systemTimer,
} from "../sdk/index.ts";
import { serviceNowAuth } from "./auth.ts";
import { describeServiceNowObject, listServiceNowObjects } from "./describe.ts";
import { readServiceNow } from "./read.ts";
import { errorRules, objects, type ServiceNowObject } from "./spec.ts";
import { testServiceNowConnection } from "./test-connection.ts";

/** The ServiceNow connector: Table API with keyset paging, deletions from sys_audit_delete. */
export const servicenow = defineConnector<ServiceNowObject>({
  id: "servicenow",
  displayName: "ServiceNow",
  authKinds: ["basic", "oauth_password", "oauth_refresh", "oauth_client_credentials"],
  baseUrl: "{instanceUrl}",
  paging: "keyset",
  objects,
  errors: errorRules,
  open: openServiceNow,
});

/** Opens a live ServiceNow connector on one instance. */
export function openServiceNow(profile: ConnectorProfileConfig, options: ConnectorOptions = {}): Connector {
  const timer = options.timer ?? systemTimer;
  const common = {
    baseUrl: profile.instanceUrl,
    ...(profile.policy ? { policy: profile.policy } : {}),
    timer,
    errorRules,
    userAgent: "profileflow-servicenow",
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.rateBudget ? { rateBudget: options.rateBudget } : {}),
  };
  const tokenHttp = new HttpClient(common);
  const http = new HttpClient({
    ...common,
    dispatcher: tokenHttp.dispatcher,
    auth: serviceNowAuth(profile, tokenHttp, timer, options.onRefreshToken),
  });
  return {
    testConnection: () => testServiceNowConnection(http),
    listObjects: () => Promise.resolve(listServiceNowObjects()),
    describeObject: (name) => {
      if (!Object.hasOwn(objects, name)) {
        return Promise.reject(new ConnectorError("config", `ServiceNow object ${name} is not supported`));
      }
      return describeServiceNowObject(http, name as ServiceNowObject);
    },
    read: (request) => readServiceNow(http, request),
    close: async () => {
      await http.close();
      await tokenHttp.close();
    },
  };
}

export { objects as serviceNowObjects, type ServiceNowObject } from "./spec.ts";
