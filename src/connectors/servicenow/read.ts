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
import { fetchTable, glideCeil, type Keyset, keysetQuery, parseGlide, probe } from "./query.ts";
import { objects, type ServiceNowObject, type ServiceNowObjectSpec } from "./spec.ts";

type Phase = "records" | "deletions" | "done";

/** Everything a read needs to continue; written to a flat checkpoint after every page. */
interface ReadState {
  readonly object: ServiceNowObject;
  readonly from: number;
  readonly to: number;
  phase: Phase;
  pos: Keyset | undefined;
  /** Rows to skip at `pos`: only after pages that ACLs emptied while the Link header said more follow. */
  skip: number;
  /** (id, ts) read inside the look-back overlap at the end of this read, for the next run. */
  readonly seen: SeenSet;
  /** The previous run's `seen`: exact repeats from the overlap are dropped. */
  readonly prev: SeenSet;
}

/**
 * Reads a window or incrementally: keyset pages on (sys_updated_on, sys_id) of the table, then keyset
 * pages of `sys_audit_delete` for the same window; one Page (with its checkpoint) per request.
 */
export async function* readServiceNow(http: HttpClient, request: ReadRequest): AsyncGenerator<Page> {
  const state = await startState(http, request);
  const spec = objects[state.object];
  const limit = Math.min(Math.max(1, Math.floor(request.pageSize ?? spec.defaultPageSize)), spec.maxPageSize);
  if (state.phase === "done" || state.to <= state.from) {
    state.phase = "done";
    yield { records: [], deletions: [], rejected: [], checkpoint: toCheckpoint(state), done: true };
    return;
  }
  for (;;) {
    const page = await step(http, state, spec, limit);
    yield page;
    if (page.done) return;
  }
}

async function step(
  http: HttpClient,
  s: ReadState,
  spec: ServiceNowObjectSpec,
  limit: number,
): Promise<Page> {
  const del = s.phase === "deletions";
  const table = del ? "sys_audit_delete" : s.object;
  const tsField = del ? "sys_created_on" : "sys_updated_on";
  const base = del ? `tablenameIN${spec.deleteTables.join(",")}^` : "";
  const fromS = glideCeil(s.from);
  const toS = glideCeil(s.to);
  const { rows, more } = await fetchTable(
    http,
    table,
    keysetQuery(base, tsField, fromS, toS, s.pos),
    limit,
    s.skip,
  );

  const records: RawRecord[] = [];
  const deletions: DeleteEvent[] = [];
  const rejected: RejectedRecord[] = [];
  const overlapStart = s.to - spec.lookbackMs;
  let last: Keyset | undefined;
  for (const row of rows) {
    const sysId = row["sys_id"];
    const rawTs = row[tsField];
    if (typeof sysId === "string" && typeof rawTs === "string") {
      guardOrder(table, rawTs, sysId, fromS, toS, last ?? s.pos);
      last = { at: rawTs, after: sysId };
    }
    const id = del ? row["documentkey"] : sysId;
    const ts = parseGlide(rawTs);
    if (typeof id !== "string" || id === "" || ts === undefined) {
      const why = `${table} row without a usable ${typeof id !== "string" || id === "" ? "id" : tsField}`;
      rejected.push({
        id: typeof id === "string" ? id : undefined,
        data: row,
        error: new ConnectorError("record", why, typeof id === "string" ? { recordId: id } : {}),
      });
      continue;
    }
    const key = del ? `d:${id}` : id;
    const repeat = s.prev.has(key, ts);
    if (ts >= overlapStart) s.seen.add(key, ts);
    if (repeat) continue;
    // No `data`: an audit row is not the deleted record, and its own sys_id would map to the wrong object.
    if (del) deletions.push({ id, deletedAt: ts });
    else records.push({ id, sourceTimestamp: ts, data: row });
  }
  if (rows.length > 0 && last === undefined) {
    throw new ConnectorError("bug", `${table}: a page with no usable (${tsField}, sys_id) to continue from`);
  }

  if (last) {
    s.pos = last;
    s.skip = 0;
  }
  if (more) {
    if (!last) s.skip += limit; // every row of the page was hidden by ACLs; step over them
  } else {
    s.phase = del ? "done" : "deletions";
    s.pos = undefined;
    s.skip = 0;
  }
  const done = s.phase === "done";
  return { records, deletions, rejected, checkpoint: toCheckpoint(s), done };
}

/** A row outside the window or behind the keyset means the instance ignored part of the query: stop. */
function guardOrder(table: string, at: string, id: string, from: string, to: string, pos?: Keyset): void {
  const behind = pos !== undefined && (at < pos.at || (at === pos.at && id <= pos.after));
  if (at < from || at >= to || behind) {
    throw new ConnectorError(
      "config",
      `${table} returned a row outside the requested keyset window (${at}, ${id}); the instance ignored part ` +
        "of the query (unknown field, or ORDERBY not applied)",
    );
  }
}

async function startState(http: HttpClient, req: ReadRequest): Promise<ReadState> {
  if (!Object.hasOwn(objects, req.object)) {
    throw new ConnectorError("config", `ServiceNow object ${req.object} is not supported`);
  }
  const object = req.object as ServiceNowObject;
  const spec = objects[object];
  const vendorNow = async () => {
    if (!http.knowsServerTime) await probe(http, object);
    return http.serverNow() - spec.lagMs;
  };
  const fresh = (from: number, to: number, prev = SeenSet.empty()): ReadState => ({
    object,
    from,
    to,
    phase: "records",
    pos: undefined,
    skip: 0,
    seen: SeenSet.empty(),
    prev,
  });
  if (isWindowRead(req)) {
    if (req.resume) return fromCheckpoint(req.resume, object, req.window);
    const { from, to } = req.window;
    // Never read up to the instance's now: rows still being committed would be missed for good.
    const limit = to > http.serverNow() - spec.lagMs - 3_600_000 ? await vendorNow() : to;
    return fresh(from, Math.min(to, limit));
  }
  if (typeof req.since === "number") return fresh(req.since, await vendorNow());
  const last = fromCheckpoint(req.since, object);
  if (last.phase !== "done") return last;
  const to = await vendorNow();
  if (to <= last.to) return last; // nothing new is settled yet
  return fresh(last.to - spec.lookbackMs, to, last.seen);
}

function toCheckpoint(s: ReadState): FlatCheckpoint {
  return {
    v: 1,
    connector: "servicenow",
    object: s.object,
    from: s.from,
    to: s.to,
    phase: s.phase,
    at: s.pos?.at ?? "",
    after: s.pos?.after ?? "",
    skip: s.skip,
    seen: s.seen.toString(),
    prev: s.prev.toString(),
  };
}

function fromCheckpoint(
  c: FlatCheckpoint,
  object: ServiceNowObject,
  window?: { from: number; to: number },
): ReadState {
  if (c["v"] !== 1 || c["connector"] !== "servicenow" || c["object"] !== object) {
    throw new ConnectorError("config", `checkpoint is not a ServiceNow ${object} checkpoint`);
  }
  const phase = cp.str(c, "phase");
  if (phase !== "records" && phase !== "deletions" && phase !== "done") {
    throw new ConnectorError("config", `checkpoint phase ${phase} is unknown`);
  }
  const from = cp.num(c, "from");
  const to = cp.num(c, "to");
  if (window && (from !== window.from || to > window.to)) {
    throw new ConnectorError("config", "checkpoint belongs to a different window");
  }
  const at = cp.str(c, "at");
  return {
    object,
    from,
    to,
    phase,
    pos: at === "" ? undefined : { at, after: cp.str(c, "after") },
    skip: cp.num(c, "skip"),
    seen: SeenSet.parse(cp.str(c, "seen")),
    prev: SeenSet.parse(cp.str(c, "prev")),
  };
}
