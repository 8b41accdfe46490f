import {
  ConnectorError,
  type DeleteEvent,
  type HttpClient,
  type RawRecord,
  type RejectedRecord,
  type StepResult,
} from "../sdk/index.ts";
import { activitiesPage, leadsById, pagingToken, parseMarketoTime } from "./query.ts";
import type { ReadState } from "./read-state.ts";
import { marketoLimits, objects } from "./spec.ts";

const lookback = objects.leads.lookbackMs;

/**
 * One page of lead-change activities in `[since, to)`, then the changed leads fetched by id (≤ 300 a call).
 * Every lead is handed on as it is now, once per (id, updatedAt) in a read; deleted leads are simply absent.
 * The stream ends at `moreResult:false` or at the first activity at or past `to`.
 */
export async function changesStep(http: HttpClient, s: ReadState, pageSize: number): Promise<StepResult> {
  if (s.token === "") s.token = await pagingToken(http, s.since);
  const page = await activitiesPage(
    http,
    "leadchanges",
    s.token,
    Math.min(pageSize, marketoLimits.batchSize),
  );
  const ids = new Set<string>();
  let past = false;
  for (const a of page.activities) {
    const at = parseMarketoTime(a["activityDate"]);
    if (at === undefined || a["leadId"] == null) continue; // an activity we cannot place names no lead to read
    if (at < s.since) continue; // the paging token has second resolution
    if (at >= s.to) {
      past = true;
      break;
    }
    ids.add(String(a["leadId"]));
  }
  const records: RawRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const lead of ids.size > 0 ? await leadsById(http, [...ids]) : []) {
    const id = lead["id"] == null ? undefined : String(lead["id"]);
    const ts = parseMarketoTime(lead["updatedAt"]);
    if (id === undefined || ts === undefined) {
      const why = `lead without a usable ${id === undefined ? "id" : "updatedAt"}`;
      rejected.push({
        id,
        data: lead,
        error: new ConnectorError("record", why, id === undefined ? {} : { recordId: id }),
      });
      continue;
    }
    if (s.strict && (ts < s.from || ts >= s.to)) continue; // a window read keeps its window
    if (s.run.has(id, ts)) continue;
    s.run.add(id, ts);
    const repeat = s.prev.has(id, ts);
    if (ts >= s.to - lookback) s.seen.add(id, ts);
    if (!repeat) records.push({ id, sourceTimestamp: ts, data: lead });
  }
  s.token = page.next;
  if (past || !page.more) Object.assign(s, { phase: "deletions", token: "" });
  return { records, deletions: [], rejected };
}

/** One page of deleted-lead activities (type 37) in `[from, to)`: each a delete event of its lead. */
export async function deletionsStep(http: HttpClient, s: ReadState, pageSize: number): Promise<StepResult> {
  if (s.token === "") s.token = await pagingToken(http, s.from);
  const page = await activitiesPage(
    http,
    "deletedleads",
    s.token,
    Math.min(pageSize, marketoLimits.batchSize),
  );
  const deletions: DeleteEvent[] = [];
  const rejected: RejectedRecord[] = [];
  let past = false;
  for (const a of page.activities) {
    const at = parseMarketoTime(a["activityDate"]);
    const id = a["leadId"] == null ? undefined : String(a["leadId"]);
    if (at === undefined || id === undefined) {
      rejected.push({
        id,
        data: a,
        error: new ConnectorError("record", "deleted-lead activity without leadId or date"),
      });
      continue;
    }
    if (at < s.from) continue;
    if (at >= s.to) {
      past = true;
      break;
    }
    const key = `d:${id}`;
    const repeat = s.prev.has(key, at);
    if (at >= s.to - lookback) s.seen.add(key, at);
    // No `data`: the activity is not the lead, and its own `id` would map to the wrong object.
    if (!repeat) deletions.push({ id, deletedAt: at });
  }
  s.token = page.next;
  if (past || !page.more) Object.assign(s, { phase: "done", token: "" });
  return { records: [], deletions, rejected };
}
