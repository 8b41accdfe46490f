import { ConnectorError, type HttpClient } from "../sdk/index.ts";
import { mePath, type ZendeskObjectSpec } from "./spec.ts";

/** One page of a cursor-based incremental export. */
interface ExportPage {
  readonly items: readonly Record<string, unknown>[];
  readonly afterCursor: string;
  readonly endOfStream: boolean;
}

/** Where an export request starts: a unix start time (seconds) or a cursor from a previous page. */
type ExportFrom = { readonly startTime: number } | { readonly cursor: string };

/** GETs one page of the cursor export of an object. */
export async function fetchExport(
  http: HttpClient,
  spec: ZendeskObjectSpec,
  from: ExportFrom,
  perPage: number,
): Promise<ExportPage> {
  const res = await http.request({
    path: spec.exportPath,
    query: {
      ...("cursor" in from ? { cursor: from.cursor } : { start_time: from.startTime }),
      per_page: perPage,
    },
  });
  const body = res.body as Record<string, unknown> | undefined;
  const items = body?.[spec.listKey];
  const after = body?.["after_cursor"];
  const end = body?.["end_of_stream"];
  if (!Array.isArray(items) || typeof end !== "boolean" || (typeof after !== "string" && after !== null)) {
    throw new ConnectorError(
      "transient",
      `${spec.listKey} export: answer without ${spec.listKey}, after_cursor or end_of_stream`,
      { status: res.status },
    );
  }
  // An empty stream may come back without a cursor: stay where we were.
  const afterCursor = typeof after === "string" ? after : "cursor" in from ? from.cursor : "";
  return { items: items as Record<string, unknown>[], afterCursor, endOfStream: end };
}

/** Learns the account's clock from a `Date` header with a request outside the 10/min export limit. */
export async function probe(http: HttpClient): Promise<void> {
  await http.request({ path: mePath });
}

/** The change time of an exported item in epoch ms: `generated_timestamp` (s) or an ISO `updated_at`. */
export function cursorTime(item: Record<string, unknown>, field: string): number | undefined {
  const v = item[field];
  if (typeof v === "number" && Number.isFinite(v)) return v * 1000;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** True when an exported item is a deletion: tickets with `status: "deleted"`, users with `active: false`. */
export function isDeletion(item: Record<string, unknown>, listKey: string): boolean {
  return listKey === "tickets" ? item["status"] === "deleted" : item["active"] === false;
}
