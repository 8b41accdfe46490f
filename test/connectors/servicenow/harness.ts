import {
  type Connector,
  type ConnectorCredentials,
  type ConnectorOptions,
  FakeTimer,
} from "../../../src/connectors/sdk/index.ts";
import { openServiceNow } from "../../../src/connectors/servicenow/index.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { liveTruth } from "../sandbox-reads.ts";

export const START = Date.UTC(2025, 5, 1, 12, 0, 0);

/** A ServiceNow sandbox on a frozen clock (it moves only when a test or the connector's sleeps move it). */
export async function sandbox(people = 400, rateLimitPerHour?: number): Promise<ServiceNowSandbox> {
  return startServiceNowSandbox({
    seed: 11,
    people,
    clock: { start: START, speed: 0 },
    ...(rateLimitPerHour === undefined ? {} : { rateLimitPerHour }),
  });
}

/** Opens the connector on a sandbox with a fake timer whose sleeps move the sandbox clock. */
export function connect(
  sb: ServiceNowSandbox,
  kind: "basic" | "oauth_password" = "basic",
  options: ConnectorOptions = {},
): { connector: Connector; timer: FakeTimer } {
  const c = sb.credentials;
  const credentials: ConnectorCredentials =
    kind === "basic"
      ? { kind, username: c.username, password: c.password }
      : {
          kind,
          username: c.username,
          password: c.password,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
        };
  const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
  return { connector: openServiceNow({ instanceUrl: sb.url, credentials }, { timer, ...options }), timer };
}

export { admin, keys, readAll } from "../sandbox-reads.ts";

/** Ground truth: `id@stampMs` of every live record of `object` stamped in [from, to). */
export function truth(sb: ServiceNowSandbox, object: string, from: number, to: number): Promise<string[]> {
  return liveTruth(sb, object, from, to);
}
