import { openSalesforce, type SalesforceOptions, salesforce } from "../../src/connectors/salesforce/index.ts";
import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { connectorContract } from "./connector-contract.ts";
import type { ContractAdapter, ContractSandbox } from "./contract-adapter.ts";

const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** Salesforce in the contract suite: refresh-token OAuth; `tuning` picks REST or Bulk API 2.0. */
function adapter(
  name: string,
  people: number,
  tuning: SalesforceOptions,
  pageSizes: number[],
): ContractAdapter {
  const creds = (sb: ContractSandbox) => (sb as SalesforceSandbox).credentials;
  return {
    name,
    spec: salesforce as ConnectorSpec,
    objects: [
      { name: "Contact", pageSizes },
      { name: "Case", pageSizes: pageSizes.slice(-1) },
    ],
    people,
    start: (knobs) =>
      startSalesforceSandbox({ seed: 31, people, clock: { start: START, speed: 0 }, knobs: knobs ?? {} }),
    open: (sb, options) => {
      const c = creds(sb);
      const credentials = {
        kind: "oauth_refresh" as const,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        refreshToken: c.refreshToken,
      };
      return openSalesforce({ instanceUrl: c.loginUrl, credentials }, options, tuning);
    },
    openRefused: (sb, options) => {
      const c = creds(sb);
      const credentials = {
        kind: "oauth_refresh" as const,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        refreshToken: "5Aep861RevokedToken",
      };
      return openSalesforce({ instanceUrl: c.loginUrl, credentials }, options, tuning);
    },
    // A 100,000-request allocation × 0.0001 = 10 a day: the read stops before Salesforce would refuse it.
    quota: { knobs: { rateLimitScale: 0.0001 }, pageSize: pageSizes[0]!, stopsBeforeRefusal: true },
  };
}

// REST: LIMIT keyset pages below 200, nextRecordsUrl batches from 200.
connectorContract(adapter("salesforce (REST)", 600, {}, [50, 200, 2000]));
// Bulk API 2.0 for every window with more than one row (the first REST batch, then a job).
connectorContract(adapter("salesforce (Bulk 2.0)", 1500, { bulkThreshold: 2 }, [200, 1000]));
