import { ConnectorError, type DeleteEvent, type RawRecord } from "../sdk/index.ts";
import { parseSfDateTime, restDateTime } from "./query.ts";
import type { ReadContext } from "./read.ts";
import type { ReadState } from "./read-state.ts";

const BATCH = 200;

/**
 * One step of the purge feed: `sobjects/{o}/deleted` lists ids deleted in the window (15 days back at most);
 * `queryAll` already delivered those still in the Recycle Bin, so only ids it can no longer see (purged or
 * hard-deleted) become DeleteEvents here. `delOffset` walks the (deletedDate, id)-sorted list, 200 at a time.
 */
export async function readPurged(
  ctx: ReadContext,
  s: ReadState,
): Promise<{ records: RawRecord[]; deletions: DeleteEvent[] }> {
  const res = await ctx.api.get(`sobjects/${s.object}/deleted/`, {
    start: restDateTime(s.from),
    end: restDateTime(s.to),
  });
  const list = (res.body as { deletedRecords?: Array<{ id?: unknown; deletedDate?: unknown }> })
    ?.deletedRecords;
  if (!Array.isArray(list)) throw new ConnectorError("transient", "deleted answer without deletedRecords");
  const all = list
    .map((d) => ({ id: d.id, at: parseSfDateTime(d.deletedDate) }))
    .filter((d): d is { id: string; at: number } => typeof d.id === "string" && d.at !== undefined)
    .filter((d) => d.at >= s.from && d.at < s.to)
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const batch = all.slice(s.delOffset, s.delOffset + BATCH);
  const deletions: DeleteEvent[] = [];
  if (batch.length > 0) {
    const ids = batch.map((d) => `'${d.id.replace(/'/g, "")}'`).join(", ");
    const q = await ctx.api.get("queryAll", { q: `SELECT Id FROM ${s.object} WHERE Id IN (${ids})` });
    const found = new Set(
      ((q.body as { records?: Array<{ Id?: unknown }> })?.records ?? []).map((r) => String(r.Id)),
    );
    for (const d of batch) {
      if (found.has(d.id)) continue; // still in the Recycle Bin: the records phase delivered it
      const key = `d:${d.id}`;
      const repeat = s.prev.has(key, d.at);
      s.seen.add(key, d.at);
      if (!repeat) deletions.push({ id: d.id, deletedAt: d.at });
    }
  }
  s.delOffset += batch.length;
  if (s.delOffset >= all.length) s.phase = "done";
  return { records: [], deletions };
}
