import type { Connector, Page, ReadRequest } from "../../src/connectors/sdk/index.ts";

/** Calls a sandbox's admin API (`/__sandbox/…`). */
export async function admin(sb: { url: string }, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A sandbox's ground truth of an object: every row, its stamp in epoch ms floored to `resolutionMs`. */
export async function truthRows(
  sb: { url: string },
  object: string,
  resolutionMs = 1,
): Promise<{ id: string; at: number; deleted: boolean }[]> {
  const out: { id: string; at: number; deleted: boolean }[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = (await admin(sb, "GET", `truth/${object}?offset=${offset}&limit=10000`)) as {
      records: { id: string | number; stamp: string; deleted: boolean }[];
      nextOffset: number | null;
    };
    for (const r of page.records) {
      const at = Math.floor(Date.parse(r.stamp) / resolutionMs) * resolutionMs;
      out.push({ id: String(r.id), at, deleted: r.deleted });
    }
    offset = page.nextOffset;
  }
  return out;
}

/** `id@ms` of the live rows of an object stamped in [from, to), sorted. */
export async function liveTruth(
  sb: { url: string },
  object: string,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
  resolutionMs = 1,
): Promise<string[]> {
  return (await truthRows(sb, object, resolutionMs))
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
