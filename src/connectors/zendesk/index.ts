import {
  type Connector,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  checkedObject,
  defineConnector,
  objectDescriptions,
  openVendorHttp,
} from "../sdk/index.ts";
import { zendeskAuth } from "./auth.ts";
import { describeZendeskObject } from "./describe.ts";
import { readZendesk } from "./read.ts";
import { errorRules, objects, type ZendeskObject } from "./spec.ts";
import { testZendeskConnection } from "./test-connection.ts";

/** Incremental exports allow 10 requests a minute; stay under it so a 429 is the exception. */
const exportRequestsPerMinute = 8;

/**
 * The Zendesk connector: cursor-based incremental exports of users and tickets. Without a `rateBudget` it
 * spaces its requests to 8 a minute (the export limit is 10; pass a budget of 25/min with the High Volume
 * add-on).
 */
export const zendesk = defineConnector<ZendeskObject>({
  id: "zendesk",
  displayName: "Zendesk",
  authKinds: ["api_token", "bearer", "oauth_refresh", "oauth_client_credentials"],
  baseUrl: "{instanceUrl}",
  objects,
  errors: errorRules,
  pacing: { requestsPerSecond: exportRequestsPerMinute / 60 },
  open: openZendesk,
});

/** Opens a live Zendesk connector on one account. */
export function openZendesk(profile: ConnectorProfileConfig, options: ConnectorOptions = {}): Connector {
  const { http, close } = openVendorHttp(zendesk, profile, options, (timer) => ({
    auth: (tokenHttp) => zendeskAuth(profile, tokenHttp, timer, options.onRefreshToken),
  }));
  return {
    testConnection: () => testZendeskConnection(http),
    listObjects: () => Promise.resolve(objectDescriptions(objects)),
    describeObject: async (name) => describeZendeskObject(checkedObject("Zendesk", objects, name)),
    read: (request) => readZendesk(http, request),
    close,
  };
}
