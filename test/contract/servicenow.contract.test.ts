import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import { openServiceNow, servicenow } from "../../src/connectors/servicenow/index.ts";
import { startServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { connectorContract } from "./connector-contract.ts";
import type { ContractAdapter } from "./contract-adapter.ts";

const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** ServiceNow in the contract suite: Basic auth for reads, OAuth (password grant) where rotation matters. */
const adapter: ContractAdapter = {
  name: "servicenow",
  spec: servicenow as ConnectorSpec,
  objects: [
    { name: "sys_user", pageSizes: [7, 1000] },
    { name: "incident", pageSizes: [9, 500] },
  ],
  people: 300,
  start: (knobs) =>
    startServiceNowSandbox({ seed: 23, people: 300, clock: { start: START, speed: 0 }, knobs: knobs ?? {} }),
  open: (sb, options) => {
    const sn = sb as unknown as {
      credentials: { username: string; password: string; clientId: string; clientSecret: string };
    };
    const c = sn.credentials;
    return openServiceNow(
      {
        instanceUrl: sb.url,
        credentials: {
          kind: "oauth_password",
          username: c.username,
          password: c.password,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
        },
      },
      options,
    );
  },
  openRefused: (sb, options) => {
    const c = (sb as unknown as { credentials: { username: string } }).credentials;
    return openServiceNow(
      { instanceUrl: sb.url, credentials: { kind: "basic", username: c.username, password: "revoked" } },
      options,
    );
  },
  // 10,000 requests an hour × 0.001 = 10: the read runs out mid-window and resumes after the hour.
  quota: { knobs: { rateLimitScale: 0.001 }, pageSize: 5 },
};

connectorContract(adapter);
