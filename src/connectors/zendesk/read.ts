import {
  ConnectorError,
  cp,
  type DeleteEvent,
  type FlatCheckpoint,
  type HttpClient,
  isWindowRead,
  type Page,
  type RawRecord,
  type ReadRequest,
  type RejectedRecord,
  SeenSet,
} from "../sdk/index.ts";
import { authRetried } from "./auth.ts";
import { cursorTime, fetchExport, isDeletion, probe } from "./query.ts";
import { objects, type ZendeskObject, type ZendeskObjectSpec } from "./spec.ts";

/** Everything a read needs to continue; written to a flat checkpoint after every page. */
interface ReadState {
  readonly object: ZendeskObject;
  readonly from: number;
  readonly to: number;
  done: boolean;
  /** The export's `after_cursor` after the last page handed on ("" = not started: use start_time). */
  cursor: string;
  /** (id, change time) read inside the look-back overlap at the end of this read, for the next run. */
  readonly seen: SeenSet;
  /** The previous run's `seen`: exact repeats from the overlap are dropped. */
  readonly prev: SeenSet;
}

/**
 * Reads a window `[from, to)` or incrementally through the cursor-based incremental export: starts at
 * `start_time = from`, follows `after_cursor`, keeps the items whose change time lies in the window and stops
 * at the first item at or past `to` (the export has no upper bound) or at `end_of_stream`. Deleted tickets
 * (`status: "deleted"`) and deleted users (`active: false`) become delete events.
 */
export async function* readZendesk(http: HttpClient, request: ReadRequest): AsyncGenerator<Page> {
  const state = await startState(http, request);
  const spec = objects[state.object];
  const perPage = Math.min(
    Math.max(1, Math.floor(request.pageSize ?? spec.defaultPageSize)),
    spec.maxPageSize,
  );
  if (state.done || state.to <= state.from) {
    state.done = true;
    yield { records: [], deletions: [], rejected: [], checkpoint: toCheckpoint(state), done: true };
    return;
  }
  for (;;) {
    const page = await authRetried(() => step(http, state, spec, perPage));
    yield page;
    if (page.done) return;
  }
}

async function step(http: HttpClient, s: ReadState, spec: ZendeskObjectSpec, perPage: number): Promise<Page> {
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
  return { records, deletions, rejected, checkpoint: toCheckpoint(s), done: s.done };
}

async function startState(http: HttpClient, req: ReadRequest): Promise<ReadState> {
  if (!Object.hasOwn(objects, req.object)) {
    throw new ConnectorError("config", `Zendesk object ${req.object} is not supported`);
  }
  const object = req.object as ZendeskObject;
  const spec = objects[object];
  const vendorNow = async () => {
    if (!http.knowsServerTime) await probe(http);
    return http.serverNow() - spec.lagMs;
  };
  const fresh = (from: number, to: number, prev = SeenSet.empty()): ReadState => ({
    object,
    from,
    to,
    done: false,
    cursor: "",
    seen: SeenSet.empty(),
    prev,
  });
  if (isWindowRead(req)) {
    if (req.resume) return fromCheckpoint(req.resume, object, req.window);
    const { from, to } = req.window;
    // Zendesk holds back the last minute: a window reaching into it would end early and lose records.
    const limit = to > http.serverNow() - spec.lagMs - 3_600_000 ? await vendorNow() : to;
    return fresh(from, Math.min(to, limit));
  }
  if (typeof req.since === "number") return fresh(req.since, await vendorNow());
  const last = fromCheckpoint(req.since, object);
  if (!last.done) return last;
  const to = await vendorNow();
  if (to <= last.to) return last; // nothing new is settled yet
  return fresh(last.to - spec.lookbackMs, to, last.seen);
}

function toCheckpoint(s: ReadState): FlatCheckpoint {
  return {
    v: 1,
    connector: "zendesk",
    object: s.object,
    from: s.from,
    to: s.to,
    done: s.done,
    cursor: s.cursor,
    seen: s.seen.toString(),
    prev: s.prev.toString(),
  };
}

function fromCheckpoint(
  c: FlatCheckpoint,
  object: ZendeskObject,
  window?: { from: number; to: number },
): ReadState {
  if (c["v"] !== 1 || c["connector"] !== "zendesk" || c["object"] !== object) {
    throw new ConnectorError("config", `checkpoint is not a Zendesk ${object} checkpoint`);
  }
  const from = cp.num(c, "from");
  const to = cp.num(c, "to");
  if (window && (from !== window.from || to > window.to)) {
    throw new ConnectorError("config", "checkpoint belongs to a different window");
  }
  return {
    object,
    from,
    to,
    done: cp.bool(c, "done"),
    cursor: cp.str(c, "cursor"),
    seen: SeenSet.parse(cp.str(c, "seen")),
    prev: SeenSet.parse(cp.str(c, "prev")),
  };
}
