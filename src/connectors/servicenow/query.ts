import { ConnectorError, type HttpClient } from "../sdk/index.ts";
import { tablePath } from "./spec.ts";

/** Formats epoch ms as a glide date-time literal (UTC, second resolution), rounding up to the next second. */
export function glideCeil(ms: number): string {
  const s = new Date(Math.ceil(ms / 1000) * 1000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

/** Parses a glide date-time (`YYYY-MM-DD HH:mm:ss`, UTC) to epoch ms; undefined when malformed. */
export function parseGlide(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t) ? undefined : t;
}

/** A keyset position: the last (timestamp, sys_id) handed on, both as the vendor wrote them. */
export interface Keyset {
  readonly at: string;
  readonly after: string;
}

/**
 * The encoded query of one keyset page over `[from, to)` ordered by (tsField, sys_id). After a position the
 * query is two OR-ed groups: same second with a larger sys_id (the tiebreak), or a later second.
 */
export function keysetQuery(base: string, tsField: string, from: string, to: string, pos?: Keyset): string {
  const win = `${base}${tsField}>=${from}^${tsField}<${to}`;
  const order = `^ORDERBY${tsField}^ORDERBYsys_id`;
  if (!pos) return win + order;
  return `${win}^${tsField}=${pos.at}^sys_id>${pos.after}^NQ${win}^${tsField}>${pos.at}${order}`;
}

/** One fetched page of a table: rows and whether the vendor says more rows follow. */
interface TablePage {
  readonly rows: readonly Record<string, unknown>[];
  readonly more: boolean;
}

/**
 * GETs one page of a table with raw values and the Link header. Reference fields keep the Table API's
 * default `{link, value}` form: the templates read `caller_id.value` / `opened_by.value`, as AppFlow gives them.
 */
export async function fetchTable(
  http: HttpClient,
  table: string,
  query: string,
  limit: number,
  offset: number,
): Promise<TablePage> {
  const res = await http.request({
    path: tablePath(table),
    query: {
      sysparm_query: query,
      sysparm_limit: limit,
      sysparm_offset: offset > 0 ? offset : undefined,
      sysparm_display_value: "false",
    },
  });
  const result = (res.body as { result?: unknown } | undefined)?.result;
  if (!Array.isArray(result)) {
    throw new ConnectorError("transient", `table ${table}: answer without a result array`, {
      status: res.status,
    });
  }
  const link = res.headers["link"];
  // Only the vendor's end signal ends a read: `Link` without rel="next" (the limit applies before ACLs, so a
  // short or empty page can sit mid-stream). Without a Link header only an empty page ends it.
  const more = link !== undefined ? /rel="next"/.test(link) : result.length > 0;
  return { rows: result as Record<string, unknown>[], more };
}

/** A one-row request whose only purpose is to learn the instance's clock from its `Date` header. */
export async function probe(http: HttpClient, table: string): Promise<void> {
  await http.request({
    path: tablePath(table),
    query: { sysparm_limit: 1, sysparm_fields: "sys_id", sysparm_no_count: "true" },
  });
}
