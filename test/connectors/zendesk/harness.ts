import {
  type Connector,
  type ConnectorCredentials,
  type ConnectorOptions,
  FakeTimer,
  type Page,
  type ReadRequest,
} from "../../../src/connectors/sdk/index.ts";
import { openZendesk } from "../../../src/connectors/zendesk/index.ts";
import type { KnobsPatch } from "../../../src/sandbox/core/index.ts";
import {
  startZendeskSandbox,
  type ZendeskSandbox,
} from "../../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { liveTruth } from "../sandbox-reads.ts";

export const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** A Zendesk sandbox on a frozen clock (it moves only when a test or the connector's sleeps move it). */
export function sandbox(people = 300, knobs: KnobsPatch = {}): Promise<ZendeskSandbox> {
  return startZendeskSandbox({ seed: 17, people, clock: { start: START, speed: 0 }, knobs });
}

/** The credentials of one auth kind on a sandbox. */
export function credentialsOf(
  sb: ZendeskSandbox,
  kind: "api_token" | "oauth_refresh" | "bearer" = "api_token",
): ConnectorCredentials {
  const c = sb.credentials;
  if (kind === "api_token") return { kind, email: c.email, token: c.apiToken };
  if (kind === "bearer") return { kind, accessToken: c.accessToken };
  return { kind, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken };
}

/** Opens the connector with a fake timer whose sleeps move the sandbox clock. */
export function connect(
  sb: ZendeskSandbox,
  credentials: ConnectorCredentials = credentialsOf(sb),
  options: ConnectorOptions = {},
): { connector: Connector; timer: FakeTimer; advance(ms: number): void } {
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  const connector = openZendesk({ instanceUrl: sb.url, credentials }, { timer, ...options });
  return {
    connector,
    timer,
    advance(ms) {
      sb.world.clock.advance(ms);
      timer.advance(ms);
    },
  };
}

export { admin, keys, readAll, replay, truthRows } from "../sandbox-reads.ts";

/** `id@ms` of the live records stamped in [from, to) (ms floored to seconds, Zendesk's resolution), sorted. */
export function truth(sb: { url: string }, object: string, from = 0, to = Number.MAX_SAFE_INTEGER) {
  return liveTruth(sb, object, from, to, 1000);
}
