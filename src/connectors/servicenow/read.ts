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
  runRead,
  type StepResult,
  startRead,
} from "../sdk/index.ts";
import { fetchTable, glideCeil, type Keyset, keysetQuery, parseGlide, probe } from "./query.ts";
import { keysetOf, moveKeyset, type ReadState, readStates } from "./read-state.ts";
import { objects, type ServiceNowObjectSpec } from "./spec.ts";

/**
 * Reads a window or incrementally: keyset pages on (sys_updated_on, sys_id) of the table, then keyset
 * pages of `sys_audit_delete` for the same window; one Page (with its checkpoint) per request.
 */
export async function* readServiceNow(http: HttpClient, request: ReadRequest): AsyncGenerator<Page> {
  const object = checkedObject("ServiceNow", objects, request.object);
  const spec = objects[object];
  const probeOnce = () => probe(http, object);
  const state = await startRead(request, { object, spec, states: readStates, http, probe: probeOnce });
  const limit = pageSizeOf(request, spec);
  yield* runRead(state, readStates, (s) => step(http, s, spec, limit));
}

async function step(
  http: HttpClient,
  s: ReadState,
  spec: ServiceNowObjectSpec,
  limit: number,
): Promise<StepResult> {
  const del = s.phase === "deletions";
  const table = del ? "sys_audit_delete" : s.object;
  const tsField = del ? "sys_created_on" : "sys_updated_on";
  const base = del ? `tablenameIN${spec.deleteTables.join(",")}^` : "";
  const fromS = glideCeil(s.from);
  const toS = glideCeil(s.to);
  const { rows, more } = await fetchTable(
    http,
    table,
    keysetQuery(base, tsField, fromS, toS, keysetOf(s)),
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
      guardOrder(table, rawTs, sysId, fromS, toS, last ?? keysetOf(s));
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
    moveKeyset(s, last);
    s.skip = 0;
  }
  if (more) {
    if (!last) s.skip += limit; // every row of the page was hidden by ACLs; step over them
  } else {
    s.phase = del ? "done" : "deletions";
    moveKeyset(s, undefined);
    s.skip = 0;
  }
  return { records, deletions, rejected };
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
