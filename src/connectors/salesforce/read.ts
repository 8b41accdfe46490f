import {
  ConnectorError,
  checkedObject,
  type DeleteEvent,
  isConnectorError,
  type Page,
  type RawRecord,
  type ReadRequest,
  type RejectedRecord,
  runRead,
  startRead,
  type Timer,
} from "../sdk/index.ts";
import { abandonBulkJob, createBulkJob, fetchBulkResults, waitBulkJob } from "./bulk2.ts";
import type { ObjectFields } from "./describe.ts";
import { QueryTimeoutError } from "./errors.ts";
import { parseSfDateTime, type SalesforceApi, windowSoql } from "./query.ts";
import { readPurged } from "./read-deleted.ts";
import { keysetOf, moveKeyset, type ReadState, readStates } from "./read-state.ts";
import { objects, type SalesforceObject, type SalesforceSettings } from "./spec.ts";

/** What one read shares between its steps. */
export interface ReadContext {
  readonly api: SalesforceApi;
  readonly settings: SalesforceSettings;
  readonly timer: Timer;
  readonly fields: ObjectFields;
  /** Requested page size: < 200 pages with SOQL LIMIT on the keyset; else the REST batch / Bulk maxRecords. */
  readonly pageSize: number | undefined;
}

/** Rows taken from one answer, split into records, deletions (IsDeleted) and rejects. */
interface Taken {
  records: RawRecord[];
  deletions: DeleteEvent[];
  rejected: RejectedRecord[];
  /** Bytes of the answer the rows came from. */
  bytes?: number;
}

const DELETED_FEED_MS = 15 * 86_400_000 - 3_600_000;

/**
 * Reads a window or incrementally: SOQL on SystemModstamp over `[from, to)` through `queryAll` (deleted rows
 * become DeleteEvents), ordered by (SystemModstamp, Id); REST pages via nextRecordsUrl, Bulk API 2.0 when the
 * window holds `bulkThreshold` rows or more; then the purge feed. One Page with its checkpoint per request.
 */
export async function* readSalesforce(
  api: SalesforceApi,
  settings: SalesforceSettings,
  timer: Timer,
  request: ReadRequest,
  fieldsOf: (o: SalesforceObject) => Promise<ObjectFields>,
): AsyncGenerator<Page> {
  const object = checkedObject("Salesforce", objects, request.object);
  const fields = await fieldsOf(object); // also teaches the client the org's clock (Date header)
  const pageSize = request.pageSize === undefined ? undefined : Math.max(1, Math.floor(request.pageSize));
  const ctx: ReadContext = { api, settings, timer, fields, pageSize };
  // No probe: describing the object taught the client the org's clock.
  const state = await startRead(request, {
    object,
    spec: objects[object],
    states: readStates,
    http: api.http,
  });
  yield* runRead(state, readStates, (s) => step(ctx, s));
}

async function step(ctx: ReadContext, s: ReadState): Promise<Taken> {
  if (s.phase === "deleted") return { ...(await readPurged(ctx, s)), rejected: [] };
  for (let tries = 0; ; tries++) {
    try {
      return s.mode === "bulk" ? await bulkStep(ctx, s) : await restStep(ctx, s);
    } catch (e) {
      if (!isConnectorError(e) || tries > 20) throw e;
      if (e.vendorCode === "QUERY_TIMEOUT") splitOrThrow(ctx, s, e);
      else if (e.vendorCode === "INVALID_QUERY_LOCATOR" && s.next !== "")
        s.next = ""; // re-query from keyset
      else throw e;
    }
  }
}

/** Halves the rest of the current segment, or throws QueryTimeoutError when not asked to / too small. */
function splitOrThrow(ctx: ReadContext, s: ReadState, cause: ConnectorError): void {
  const start = Math.max(s.lo, keysetOf(s)?.at ?? s.lo);
  const span = s.hi - start;
  if (!ctx.settings.splitOnQueryTimeout || span < 2 * ctx.settings.minSplitMs) {
    throw new QueryTimeoutError({ from: start, to: s.hi }, cause);
  }
  s.hi = start + Math.floor(span / 2);
  s.next = "";
  s.job = "";
  s.jobReady = false;
  s.mode = "rest";
}

async function restStep(ctx: ReadContext, s: ReadState): Promise<Taken> {
  const small = ctx.pageSize !== undefined && ctx.pageSize < 200;
  const batch = Math.min(2000, Math.max(200, ctx.pageSize ?? 2000));
  const headers = { "sforce-query-options": `batchSize=${batch}` };
  const fresh = s.next === "" || small;
  const res = fresh
    ? await ctx.api.get(
        "queryAll",
        {
          q: windowSoql(
            s.object,
            ctx.fields.select,
            s.lo,
            s.hi,
            keysetOf(s),
            small ? ctx.pageSize : undefined,
          ),
        },
        headers,
      )
    : await ctx.api.get(s.next, undefined, headers);
  const body = res.body as { totalSize?: number; done?: boolean; nextRecordsUrl?: string; records?: unknown };
  if (!body || !Array.isArray(body.records) || typeof body.done !== "boolean") {
    throw new ConnectorError("transient", "query answer without records/done");
  }
  const taken = take(s, body.records as Record<string, unknown>[], true);
  taken.bytes = res.bytes;
  if (small) {
    // A LIMIT page shorter than asked is not the end signal: only an empty keyset page is.
    if (body.records.length === 0) endSegment(ctx, s);
    return taken;
  }
  s.next = body.done ? "" : (body.nextRecordsUrl ?? "");
  if (fresh && !body.done && (body.totalSize ?? 0) >= ctx.settings.bulkThreshold) {
    // Large window: the rest of it (after this page's keyset) goes through Bulk API 2.0.
    s.mode = "bulk";
    s.next = "";
  } else if (body.done) endSegment(ctx, s);
  else if (s.next === "")
    throw new ConnectorError("transient", "query answer with done:false and no nextRecordsUrl");
  return taken;
}

async function bulkStep(ctx: ReadContext, s: ReadState): Promise<Taken> {
  const { api, settings, timer } = ctx;
  for (let attempts = 0; attempts < 4; attempts++) {
    if (s.job === "") {
      if (!s.ordered) moveKeyset(s, undefined); // unordered results: only the segment start is a safe restart
      s.job = await createBulkJob(api, windowSoql(s.object, ctx.fields.select, s.lo, s.hi, keysetOf(s)));
      s.jobReady = false;
      s.locator = "";
      s.ordered = true;
    }
    if (!s.jobReady) {
      const { outcome, message } = await waitBulkJob(api, s.job, timer, settings.bulkMaxWaitMs);
      if (outcome === "Failed") {
        // As Airbyte does: a failed job falls back to REST for this segment.
        if (/QUERY_TIMEOUT|running for too long/i.test(message)) {
          throw new ConnectorError("config", `Bulk job failed: ${message}`, { vendorCode: "QUERY_TIMEOUT" });
        }
        await abandonBulkJob(api, s.job);
        s.job = "";
        s.mode = "rest";
        return restStep(ctx, s);
      }
      if (outcome === "Aborted") {
        s.job = "";
        continue;
      }
      s.jobReady = true;
    }
    const maxRecords = ctx.pageSize ?? settings.bulkPageSize;
    const page = await fetchBulkResults(api, s.job, s.locator, maxRecords, ctx.fields.types);
    if (!page) {
      s.job = ""; // the job is gone (deleted after 7 days): re-create from the keyset
      continue;
    }
    const taken = take(s, page.rows, false);
    taken.bytes = page.bytes;
    s.locator = page.next;
    if (page.next === "") {
      await abandonBulkJob(api, s.job);
      endSegment(ctx, s);
    }
    return taken;
  }
  throw new ConnectorError("transient", `Bulk API 2.0 job for ${s.object} kept failing`);
}

/** Moves to the next segment of the window, or to the purge feed / done after the last one. */
function endSegment(ctx: ReadContext, s: ReadState): void {
  moveKeyset(s, undefined);
  s.next = "";
  s.job = "";
  s.jobReady = false;
  s.locator = "";
  s.ordered = true;
  s.mode = "rest";
  if (s.hi < s.to) {
    s.lo = s.hi;
    s.hi = s.to; // try the whole rest; QUERY_TIMEOUT halves it again if needed
    return;
  }
  const recent = s.from >= ctx.api.http.serverNow() - DELETED_FEED_MS;
  s.phase = ctx.settings.deletedEndpoint && recent && s.to - s.from > 61_000 ? "deleted" : "done";
}

/** Turns rows into records / deletions / rejects, advancing the keyset and the overlap sets. */
function take(s: ReadState, rows: readonly Record<string, unknown>[], strict: boolean): Taken {
  const out: Taken = { records: [], deletions: [], rejected: [] };
  const overlapStart = s.to - objects[s.object].lookbackMs;
  for (const row of rows) {
    const id = row["Id"];
    const ts = parseSfDateTime(row["SystemModstamp"]);
    if (typeof id !== "string" || id === "" || ts === undefined) {
      const why = `${s.object} row without a usable ${typeof id !== "string" || id === "" ? "Id" : "SystemModstamp"}`;
      out.rejected.push({
        id: typeof id === "string" ? id : undefined,
        data: row,
        error: new ConnectorError("record", why, typeof id === "string" ? { recordId: id } : {}),
      });
      continue;
    }
    if (ts < s.lo || ts >= s.hi) {
      throw new ConnectorError(
        "bug",
        `${s.object} ${id} stamped ${row["SystemModstamp"]} is outside the queried window`,
      );
    }
    if (s.at >= 0 && ts < s.at) {
      if (strict) throw new ConnectorError("bug", `${s.object} rows came out of SystemModstamp order`);
      s.ordered = false;
    }
    if (s.ordered) moveKeyset(s, { at: ts, after: id });
    const data = withoutAttributes(row);
    const deleted = row["IsDeleted"] === true;
    const key = deleted ? `d:${id}` : id;
    const repeat = s.prev.has(key, ts);
    if (ts >= overlapStart) s.seen.add(key, ts);
    if (repeat) continue;
    if (deleted) out.deletions.push({ id, deletedAt: ts, data });
    else out.records.push({ id, sourceTimestamp: ts, data });
  }
  return out;
}

/** REST rows carry `attributes` (type, url): a copy without it. Bulk rows are already plain (no copy). */
function withoutAttributes(row: Record<string, unknown>): Record<string, unknown> {
  if (!("attributes" in row)) return row;
  const { attributes: _, ...data } = row;
  return data;
}
