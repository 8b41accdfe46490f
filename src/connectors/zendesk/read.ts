import {
  ConnectorError,
  checkedObject,
  type DeleteEvent,
  type HttpClient,
  type Page,
  pageSizeOf,
  type RawRecord,
  type ReadRequest,
  type RejectedRecord,
  retriedOnAuth,
  runRead,
  type StepResult,
  startRead,
} from "../sdk/index.ts";
import { cursorTime, fetchExport, isDeletion, probe } from "./query.ts";
import { type ReadState, readStates } from "./read-state.ts";
import { objects, type ZendeskObjectSpec } from "./spec.ts";

/**
 * Reads a window `[from, to)` or incrementally through the cursor-based incremental export: starts at
 * `start_time = from`, follows `after_cursor`, keeps the items whose change time lies in the window and stops
 * at the first item at or past `to` (the export has no upper bound) or at `end_of_stream`. Deleted tickets
 * (`status: "deleted"`) and deleted users (`active: false`) become delete events.
 */
export async function* readZendesk(http: HttpClient, request: ReadRequest): AsyncGenerator<Page> {
  const object = checkedObject("Zendesk", objects, request.object);
  const spec = objects[object];
  // Zendesk holds back the last minute: a window reaching into it would end early and lose records.
  const state = await startRead(request, {
    object,
    spec,
    states: readStates,
    http,
    probe: () => probe(http),
  });
  const perPage = pageSizeOf(request, spec);
  yield* runRead(state, readStates, (s) => retriedOnAuth(() => step(http, s, spec, perPage)));
}

async function step(
  http: HttpClient,
  s: ReadState,
  spec: ZendeskObjectSpec,
  perPage: number,
): Promise<StepResult> {
  const page = await fetchExport(
    http,
    spec,
    s.cursor === "" ? { startTime: Math.floor(s.from / 1000) } : { cursor: s.cursor },
    perPage,
  );
  const records: RawRecord[] = [];
  const deletions: DeleteEvent[] = [];
  const rejected: RejectedRecord[] = [];
  const overlapStart = s.to - spec.lookbackMs;
  const floorFrom = Math.floor(s.from / 1000) * 1000;
  let past = false;
  for (const item of page.items) {
    const rawId = item["id"];
    const id = typeof rawId === "number" || typeof rawId === "string" ? String(rawId) : undefined;
    const ts = cursorTime(item, spec.cursorField);
    if (id === undefined || ts === undefined) {
      const why = `${spec.listKey} item without a usable ${id === undefined ? "id" : spec.cursorField}`;
      rejected.push({
        id,
        data: item,
        error: new ConnectorError("record", why, id === undefined ? {} : { recordId: id }),
      });
      continue;
    }
    if (ts < floorFrom) {
      throw new ConnectorError(
        "config",
        `${spec.listKey} export returned an item changed before start_time (${id} at ${new Date(ts).toISOString()})`,
      );
    }
    if (ts < s.from) continue; // start_time has second resolution
    // The export is ordered by change time: the first item at or past `to` ends the window.
    if (ts >= s.to) {
      past = true;
      break;
    }
    const del = isDeletion(item, spec.listKey);
    const key = del ? `d:${id}` : id;
    const repeat = s.prev.has(key, ts);
    if (ts >= overlapStart) s.seen.add(key, ts);
    if (repeat) continue;
    if (del) deletions.push({ id, deletedAt: ts, data: item });
    else records.push({ id, sourceTimestamp: ts, data: item });
  }
  s.cursor = page.afterCursor;
  s.done = past || page.endOfStream;
  return { records, deletions, rejected };
}
