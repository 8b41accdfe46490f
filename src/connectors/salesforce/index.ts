import {
  type Connector,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  checkedObject,
  defineConnector,
  objectDescriptions,
  openVendorHttp,
} from "../sdk/index.ts";
import { salesforceAuth } from "./auth.ts";
import { describeSalesforceObject, fetchObjectFields, type ObjectFields } from "./describe.ts";
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
  // The login host (login/test.salesforce.com or My Domain); the API host comes from each token response.
  baseUrl: "{instanceUrl}",
  objects,
  errors: errorRules,
  // The token endpoint does not count against the API allocation (the quota guard), but the caller's budget applies.
  pacing: { meterTokenEndpoint: true },
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
  const { http, auth, timer, close } = openVendorHttp(salesforce, profile, options, (timer) => {
    const guard = new QuotaGuard(timer, settings.quotaReserve, settings.quotaPauseMs, options.rateBudget);
    return {
      auth: (tokenHttp) => salesforceAuth(profile, tokenHttp, timer, options.onRefreshToken),
      classify: salesforceClassifier(guard),
      budget: () => guard,
    };
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
    listObjects: () => Promise.resolve(objectDescriptions(objects)),
    describeObject: async (name) => describeSalesforceObject(api, checkedObject("Salesforce", objects, name)),
    read: (request) => readSalesforce(api, settings, timer, request, fieldsOf),
    close,
  };
}

export { QueryTimeoutError } from "./errors.ts";
export type { SalesforceOptions } from "./spec.ts";
