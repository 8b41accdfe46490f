import {
  type Connector,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  defineConnector,
  HttpClient,
  systemTimer,
} from "../sdk/index.ts";
import { salesforceAuth } from "./auth.ts";
import {
  describeSalesforceObject,
  fetchObjectFields,
  listSalesforceObjects,
  type ObjectFields,
  salesforceObject,
} from "./describe.ts";
import { salesforceClassifier } from "./errors.ts";
import { SalesforceApi } from "./query.ts";
import { QuotaGuard } from "./quota-guard.ts";
import { readSalesforce } from "./read.ts";
import {
  defaultSettings,
  errorRules,
  objects,
  type SalesforceObject,
  type SalesforceOptions,
} from "./spec.ts";
import { testSalesforceConnection } from "./test-connection.ts";

/** The Salesforce connector: SOQL on SystemModstamp via REST (nextRecordsUrl) or Bulk API 2.0, queryAll deletions. */
export const salesforce = defineConnector<SalesforceObject>({
  id: "salesforce",
  displayName: "Salesforce",
  authKinds: ["oauth_refresh", "oauth_client_credentials", "oauth_jwt", "bearer"],
  baseUrl: "{instanceUrl}",
  paging: "locator",
  objects,
  errors: errorRules,
  open: (profile, options) => openSalesforce(profile, options),
});

/**
 * Opens a live Salesforce connector. `profile.instanceUrl` is the login host (login.salesforce.com,
 * test.salesforce.com or My Domain); the API host comes from the token response's `instance_url`.
 */
export function openSalesforce(
  profile: ConnectorProfileConfig,
  options: ConnectorOptions = {},
  tuning: SalesforceOptions = {},
): Connector {
  const settings = { ...defaultSettings, ...tuning };
  const timer = options.timer ?? systemTimer;
  const guard = new QuotaGuard(timer, settings.quotaReserve, settings.quotaPauseMs, options.rateBudget);
  const common = {
    baseUrl: profile.instanceUrl,
    ...(profile.policy ? { policy: profile.policy } : {}),
    timer,
    errorRules,
    classify: salesforceClassifier(guard),
    userAgent: "profileflow-salesforce",
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
  // The token endpoint does not count against the API allocation: only the caller's budget applies.
  const tokenHttp = new HttpClient({
    ...common,
    ...(options.rateBudget ? { rateBudget: options.rateBudget } : {}),
  });
  const auth = salesforceAuth(profile, tokenHttp, timer, options.onRefreshToken);
  const http = new HttpClient({
    ...common,
    dispatcher: tokenHttp.dispatcher,
    auth: auth.strategy,
    rateBudget: guard,
  });
  const api = new SalesforceApi(http, auth, settings.apiVersion);
  const cache = new Map<SalesforceObject, Promise<ObjectFields>>();
  const fieldsOf = (o: SalesforceObject) => {
    let p = cache.get(o);
    if (!p) {
      p = fetchObjectFields(api, o);
      p.catch(() => cache.delete(o)); // failures are not cached
      cache.set(o, p);
    }
    return p;
  };
  return {
    testConnection: () => testSalesforceConnection(api, fieldsOf),
    listObjects: () => Promise.resolve(listSalesforceObjects()),
    describeObject: async (name) => describeSalesforceObject(api, salesforceObject(name)),
    read: (request) => readSalesforce(api, settings, timer, request, fieldsOf),
    close: async () => {
      await http.close();
      await tokenHttp.close();
    },
  };
}

export { QueryTimeoutError } from "./errors.ts";
export { objects as salesforceObjects, type SalesforceObject, type SalesforceOptions } from "./spec.ts";
