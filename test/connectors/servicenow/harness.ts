import {
  type Connector,
  type ConnectorCredentials,
  type ConnectorOptions,
  FakeTimer,
  type Page,
  type ReadRequest,
} from "../../../src/connectors/sdk/index.ts";
import { openServiceNow } from "../../../src/connectors/servicenow/index.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../../src/sandbox/servicenow/start-servicenow-sandbox.ts";

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

/** Calls the sandbox admin API. */
export async function admin(
  sb: ServiceNowSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Ground truth: `id@stampMs` of every live record of `object` stamped in [from, to). */
export async function truth(
  sb: ServiceNowSandbox,
  object: string,
  from: number,
  to: number,
): Promise<string[]> {
  const out: string[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page: any = await admin(sb, "GET", `truth/${object}?offset=${offset}&limit=10000`);
    for (const r of page.records) {
      const t = Date.parse(r.stamp);
      if (!r.deleted && t >= from && t < to) out.push(`${r.id}@${t}`);
    }
    offset = page.nextOffset;
  }
  return out.sort();
}

/** Reads to the end, returning the pages. */
export async function readAll(connector: Connector, request: ReadRequest): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const p of connector.read(request)) pages.push(p);
  return pages;
}

/** `id@sourceTimestamp` of every record of the pages, sorted (duplicates kept). */
export function keys(pages: readonly Page[]): string[] {
  return pages.flatMap((p) => p.records.map((r) => `${r.id}@${r.sourceTimestamp}`)).sort();
}
