import {
  type Connector,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  checkedObject,
  defineConnector,
  objectDescriptions,
  openVendorHttp,
} from "../sdk/index.ts";
import { marketoAuth } from "./auth.ts";
import { describeMarketoLeads } from "./describe.ts";
import { marketoClassifier } from "./errors.ts";
import { readMarketo } from "./read.ts";
import { errorRules, type MarketoObject, marketoLimits, objects } from "./spec.ts";
import { testMarketoConnection } from "./test-connection.ts";

/**
 * The Marketo connector: leads by Bulk Lead Extract (windows) and lead-change activities (incremental).
 * Without a `rateBudget` it spaces its calls to 50 per 20 s, the share Marketo asks each integration to keep to.
 */
export const marketo = defineConnector<MarketoObject>({
  id: "marketo",
  displayName: "Marketo",
  authKinds: ["oauth_client_credentials"],
  // `https://{munchkinId}.mktorest.com`
  baseUrl: "{instanceUrl}",
  objects,
  errors: errorRules,
  // 604/608/611/713 are routine at Marketo and cost no quota: allow more tries than the SDK's 5.
  retry: { maxAttempts: 8 },
  pacing: { requestsPerSecond: marketoLimits.callsPer20s / 20 },
  open: openMarketo,
});

/** Opens a live Marketo connector on one instance. */
export function openMarketo(profile: ConnectorProfileConfig, options: ConnectorOptions = {}): Connector {
  const { http, timer, close } = openVendorHttp(marketo, profile, options, (timer) => ({
    auth: (tokenHttp) => marketoAuth(profile, tokenHttp, timer),
    classify: marketoClassifier(timer),
  }));
  return {
    testConnection: () => testMarketoConnection(http, () => http.serverNow()),
    listObjects: () => Promise.resolve(objectDescriptions(objects)),
    describeObject: async (name) => {
      checkedObject("Marketo", objects, name);
      return describeMarketoLeads(http);
    },
    read: (request) => readMarketo(http, timer, request),
    close,
  };
}
