import {
  type Connector,
  ConnectorError,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  defineConnector,
  HttpClient,
  intervalBudget,
  systemTimer,
} from "../sdk/index.ts";
import { marketoAuth } from "./auth.ts";
import { describeMarketoLeads, listMarketoObjects } from "./describe.ts";
import { marketoClassifier } from "./errors.ts";
import { readMarketo } from "./read.ts";
import { errorRules, type MarketoObject, marketoLimits, objects } from "./spec.ts";
import { testMarketoConnection } from "./test-connection.ts";

/** The Marketo connector: leads by Bulk Lead Extract (windows) and lead-change activities (incremental). */
export const marketo = defineConnector<MarketoObject>({
  id: "marketo",
  displayName: "Marketo",
  authKinds: ["oauth_client_credentials"],
  baseUrl: "{instanceUrl}",
  paging: "bulk_job",
  objects,
  errors: errorRules,
  // 604/608/611/713 are routine at Marketo and cost no quota: allow more tries than the SDK's 5.
  retry: { maxAttempts: 8 },
  open: openMarketo,
});

/**
 * Opens a live Marketo connector on one instance (`https://{munchkinId}.mktorest.com`). Without a
 * `rateBudget` it spaces its calls to 50 per 20 s, the share Marketo asks each integration to keep to.
 */
export function openMarketo(profile: ConnectorProfileConfig, options: ConnectorOptions = {}): Connector {
  const timer = options.timer ?? systemTimer;
  const common = {
    baseUrl: profile.instanceUrl,
    ...(profile.policy ? { policy: profile.policy } : {}),
    timer,
    errorRules,
    classify: marketoClassifier(timer),
    userAgent: "profileflow-marketo",
    retry: { maxAttempts: 8, ...options.retry },
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
  const tokenHttp = new HttpClient(common);
  const http = new HttpClient({
    ...common,
    dispatcher: tokenHttp.dispatcher,
    rateBudget: options.rateBudget ?? intervalBudget(marketoLimits.callsPer20s / 20, timer),
    auth: marketoAuth(profile, tokenHttp, timer),
  });
  return {
    testConnection: () => testMarketoConnection(http, () => http.serverNow()),
    listObjects: () => Promise.resolve(listMarketoObjects()),
    describeObject: (name) => {
      if (name !== "leads") {
        return Promise.reject(new ConnectorError("config", `Marketo object ${name} is not supported`));
      }
      return describeMarketoLeads(http);
    },
    read: (request) => readMarketo(http, timer, request),
    close: async () => {
      await http.close();
      await tokenHttp.close();
    },
  };
}

export { type MarketoObject, objects as marketoObjects } from "./spec.ts";
