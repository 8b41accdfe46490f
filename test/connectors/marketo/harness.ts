import { openMarketo } from "../../../src/connectors/marketo/index.ts";
import {
  type Connector,
  type ConnectorCredentials,
  type ConnectorOptions,
  FakeTimer,
  type Page,
  type ReadRequest,
} from "../../../src/connectors/sdk/index.ts";
import type { KnobsPatch } from "../../../src/sandbox/core/index.ts";
import {
  type MarketoSandbox,
  type MarketoSandboxOptions,
  startMarketoSandbox,
} from "../../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { liveTruth } from "../sandbox-reads.ts";

export const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** A Marketo sandbox on a frozen clock (it moves only when a test or the connector's sleeps move it). */
export function sandbox(
  people = 300,
  knobs: KnobsPatch = {},
  extra: Partial<MarketoSandboxOptions> = {},
): Promise<MarketoSandbox> {
  return startMarketoSandbox({ seed: 19, people, clock: { start: START, speed: 0 }, knobs, ...extra });
}

/** Good client_credentials of a sandbox. */
export function credentialsOf(
  sb: MarketoSandbox,
  secret = sb.credentials.clientSecret,
): ConnectorCredentials {
  return { kind: "oauth_client_credentials", clientId: sb.credentials.clientId, clientSecret: secret };
}

/** Opens the connector with a fake timer whose sleeps move the sandbox clock. */
export function connect(
  sb: MarketoSandbox,
  credentials: ConnectorCredentials = credentialsOf(sb),
  options: ConnectorOptions = {},
): { connector: Connector; timer: FakeTimer; advance(ms: number): void } {
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  const connector = openMarketo({ instanceUrl: sb.url, credentials }, { timer, ...options });
  return {
    connector,
    timer,
    advance(ms) {
      sb.world.clock.advance(ms);
      timer.advance(ms);
    },
  };
}

export { admin, keys, readAll, replay } from "../sandbox-reads.ts";

/** `id@ms` of the live leads updated in [from, to) (ms floored to seconds, Marketo's resolution), sorted. */
export function truth(sb: { url: string }, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  return liveTruth(sb, "leads", from, to, 1000);
}

export type { Connector, Page, ReadRequest };
