import { marketo, openMarketo } from "../../src/connectors/marketo/index.ts";
import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import type { TruthRecord } from "../../src/sandbox/core/index.ts";
import {
  type MarketoCredentials,
  startMarketoSandbox,
} from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { connectorContract } from "./connector-contract.ts";
import type { ContractAdapter } from "./contract-adapter.ts";

const START = Date.UTC(2025, 5, 1, 12, 0, 0);
const creds = (sb: unknown) => (sb as { credentials: MarketoCredentials }).credentials;

/** Marketo in the contract suite: windows through Bulk Lead Extract, incremental through lead changes. */
const adapter: ContractAdapter = {
  name: "marketo",
  spec: marketo as ConnectorSpec,
  objects: [{ name: "leads", pageSizes: [7, 300] }],
  people: 300,
  start: (knobs) =>
    startMarketoSandbox({ seed: 31, people: 300, clock: { start: START, speed: 0 }, knobs: knobs ?? {} }),
  open: (sb, options) => {
    const c = creds(sb);
    return openMarketo(
      {
        instanceUrl: sb.url,
        credentials: { kind: "oauth_client_credentials", clientId: c.clientId, clientSecret: c.clientSecret },
      },
      options,
    );
  },
  openRefused: (sb, options) =>
    openMarketo(
      {
        instanceUrl: sb.url,
        credentials: {
          kind: "oauth_client_credentials",
          clientId: creds(sb).clientId,
          clientSecret: "revoked",
        },
      },
      options,
    ),
  // 50,000 calls a day × 0.001 = 50: a window read runs out and resumes after midnight Chicago.
  quota: { knobs: { rateLimitScale: 0.001 }, pageSize: 20 },
  // Marketo reports updatedAt in whole seconds.
  truthKey: (r: TruthRecord) => `${r.id}@${Math.floor(Date.parse(r.stamp) / 1000) * 1000}`,
};

connectorContract(adapter);
