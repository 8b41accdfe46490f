import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import { openZendesk, zendesk } from "../../src/connectors/zendesk/index.ts";
import type { TruthRecord } from "../../src/sandbox/core/index.ts";
import {
  startZendeskSandbox,
  type ZendeskCredentials,
} from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { connectorContract } from "./connector-contract.ts";
import type { ContractAdapter } from "./contract-adapter.ts";

const START = Date.UTC(2025, 5, 1, 12, 0, 0);
const creds = (sb: unknown) => (sb as { credentials: ZendeskCredentials }).credentials;

/** Zendesk in the contract suite: OAuth (client credentials, rotating refresh tokens), a wrong API token refused. */
const adapter: ContractAdapter = {
  name: "zendesk",
  spec: zendesk as ConnectorSpec,
  objects: [
    { name: "users", pageSizes: [7, 1000] },
    { name: "tickets", pageSizes: [9, 500] },
  ],
  people: 300,
  start: (knobs) =>
    startZendeskSandbox({ seed: 29, people: 300, clock: { start: START, speed: 0 }, knobs: knobs ?? {} }),
  open: (sb, options) => {
    const c = creds(sb);
    return openZendesk(
      {
        instanceUrl: sb.url,
        // client_credentials: a rotated refresh token lost in a cut answer can be replaced by a new grant.
        credentials: { kind: "oauth_client_credentials", clientId: c.clientId, clientSecret: c.clientSecret },
      },
      options,
    );
  },
  openRefused: (sb, options) =>
    openZendesk(
      { instanceUrl: sb.url, credentials: { kind: "api_token", email: creds(sb).email, token: "revoked" } },
      options,
    ),
  // Zendesk reports change times in whole seconds.
  truthKey: (r: TruthRecord) => `${r.id}@${Math.floor(Date.parse(r.stamp) / 1000) * 1000}`,
  skip: {
    quota:
      "Zendesk has no daily quota: its limits are per minute (429 + Retry-After, waited out inline); a Retry-After over 5 min becomes quota_exhausted (SDK test)",
  },
};

connectorContract(adapter);
