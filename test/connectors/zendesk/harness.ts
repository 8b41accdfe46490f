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

/** Calls the sandbox admin API. */
export async function admin(sb: { url: string }, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Truth rows `{id, stamp, deleted}` of an object, stamps in epoch ms floored to seconds (Zendesk's resolution). */
export async function truthRows(
  sb: { url: string },
  object: string,
): Promise<{ id: string; at: number; deleted: boolean }[]> {
  const out: { id: string; at: number; deleted: boolean }[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page: any = await admin(sb, "GET", `truth/${object}?offset=${offset}&limit=10000`);
    for (const r of page.records)
      out.push({ id: String(r.id), at: Math.floor(Date.parse(r.stamp) / 1000) * 1000, deleted: r.deleted });
    offset = page.nextOffset;
  }
  return out;
}

/** `id@ms` of the live records stamped in [from, to), sorted. */
export async function truth(sb: { url: string }, object: string, from = 0, to = Number.MAX_SAFE_INTEGER) {
  return (await truthRows(sb, object))
    .filter((r) => !r.deleted && r.at >= from && r.at < to)
    .map((r) => `${r.id}@${r.at}`)
    .sort();
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

/** What an upsert keyed on id holds after applying the pages (latest wins, a deletion wins a tie). */
export function replay(pages: readonly Page[]): string[] {
  const state = new Map<string, { at: number; del: boolean }>();
  const events = pages.flatMap((p) => [
    ...p.records.map((r) => ({ id: r.id, at: r.sourceTimestamp, del: false })),
    ...p.deletions.map((d) => ({ id: d.id, at: d.deletedAt, del: true })),
  ]);
  for (const e of events) {
    const cur = state.get(e.id);
    if (!cur || e.at > cur.at || (e.at === cur.at && e.del)) state.set(e.id, { at: e.at, del: e.del });
  }
  return [...state]
    .filter(([, s]) => !s.del)
    .map(([id, s]) => `${id}@${s.at}`)
    .sort();
}
