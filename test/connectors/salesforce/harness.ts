import { openSalesforce, type SalesforceOptions } from "../../../src/connectors/salesforce/index.ts";
import {
  type Connector,
  type ConnectorCredentials,
  type ConnectorOptions,
  FakeTimer,
  type Page,
  type ReadRequest,
} from "../../../src/connectors/sdk/index.ts";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { liveTruth } from "../sandbox-reads.ts";

export const START = Date.UTC(2025, 5, 1, 12, 0, 0);
export const DAY = 86_400_000;

/** A Salesforce sandbox on a frozen clock (it moves only when a test or the connector's sleeps move it). */
export function sandbox(people = 600, knobs = {}): Promise<SalesforceSandbox> {
  return startSalesforceSandbox({ seed: 7, people, clock: { start: START, speed: 0 }, knobs });
}

/** Refresh-token credentials of the sandbox's connected app. */
export function refreshCredentials(sb: SalesforceSandbox, refreshToken?: string): ConnectorCredentials {
  const c = sb.credentials;
  return {
    kind: "oauth_refresh",
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    refreshToken: refreshToken ?? c.refreshToken,
  };
}

/** Opens the connector on a sandbox with a fake timer whose sleeps move the sandbox clock. */
export function connect(
  sb: SalesforceSandbox,
  tuning: SalesforceOptions = {},
  options: ConnectorOptions = {},
  credentials: ConnectorCredentials = refreshCredentials(sb),
): { connector: Connector; timer: FakeTimer } {
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  const connector = openSalesforce(
    { instanceUrl: sb.credentials.loginUrl, credentials },
    { timer, ...options },
    tuning,
  );
  return { connector, timer };
}

export { keys, readAll } from "../sandbox-reads.ts";

/** Ground truth: `id@stampMs` of every live record of `object` stamped in [from, to). */
export function truth(sb: SalesforceSandbox, object: string, from: number, to: number): Promise<string[]> {
  return liveTruth(sb, object, from, to);
}

/** Calls the sandbox's REST API directly with the app's first access token (what another integration does). */
export async function raw(sb: SalesforceSandbox, path: string): Promise<Response> {
  return fetch(`${sb.url}/services/data/v62.0/${path}`, {
    headers: { authorization: `Bearer ${sb.credentials.accessToken}` },
  });
}
