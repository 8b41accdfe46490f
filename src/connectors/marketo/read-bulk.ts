import {
  ConnectorError,
  type CsvRow,
  type HttpClient,
  parseCsvChunk,
  type RawRecord,
  type RejectedRecord,
  type StepResult,
  sanitizeVendorText,
  type Timer,
} from "../sdk/index.ts";
import { createExport, enqueueExport, exportStatus, fileChunk } from "./bulk.ts";
import { hasCode } from "./errors.ts";
import { parseMarketoTime } from "./query.ts";
import type { ReadState } from "./read-state.ts";
import { leadFieldNames, leadFields, marketoLimits } from "./spec.ts";

const second = 1000;
/** A chunk grows (×4) until it holds a whole row; no lead row is anywhere near this long. */
export const maxFileChunkBytes = 32 << 20;
const ceilSecond = (ms: number) => Math.ceil(ms / second) * second;
const typeOf = new Map(leadFields);

/** The bulk filter `[startAt, endAt)` of sub-window `k` (whole seconds: Marketo takes no milliseconds). */
function subWindow(s: ReadState, k: number): { startAt: number; endAt: number } {
  const w = marketoLimits.bulkWindowMs;
  return { startAt: ceilSecond(s.from + k * w), endAt: ceilSecond(Math.min(s.to, s.from + (k + 1) * w)) };
}

/**
 * One bulk step: create + enqueue the current sub-window's job (a page with only the checkpoint, so a resume
 * reuses the job), or wait for it and hand on `pageSize` rows of its file (Range from the saved offset).
 * Only one job at a time: this read never holds more than one of the 2 processing / 10 queued slots.
 */
export async function bulkStep(
  http: HttpClient,
  timer: Timer,
  s: ReadState,
  pageSize: number,
  cache: FileCache,
): Promise<StepResult> {
  const empty: StepResult = { records: [], deletions: [], rejected: [] };
  if (s.exportId === "") {
    const { startAt, endAt } = subWindow(s, s.sub);
    if (startAt >= s.to && s.sub > 0) {
      nextSub(s);
      return empty;
    }
    if (startAt >= endAt) {
      nextSub(s);
      return empty;
    }
    try {
      s.exportId = await createExport(http, startAt, endAt);
    } catch (e) {
      if (!hasCode(e, "1035")) throw e;
      // No updatedAt filter on this subscription: read the rest of the window from lead-change activities.
      Object.assign(s, { phase: "changes", strict: true, since: startAt, token: "", exportId: "", job: "" });
      return empty;
    }
  }
  if (s.job === "") {
    await enqueueExport(http, s.exportId);
    s.job = "queued";
    return empty;
  }
  if (s.job === "queued") {
    const started = timer.now();
    for (;;) {
      await timer.sleep(marketoLimits.statusPollMs);
      const st = await exportStatus(http, s.exportId);
      if (st === undefined || st.status === "Failed" || st.status === "Cancelled") {
        Object.assign(s, { exportId: "", job: "" }); // a failed job must be recreated
        return empty;
      }
      if (st.status === "Completed") {
        if (st.fileSize === undefined)
          throw new ConnectorError("transient", "completed export without fileSize");
        Object.assign(s, { job: "completed", fileSize: st.fileSize, offset: 0 });
        break;
      }
      if (st.status === "Created") await enqueueExport(http, s.exportId); // the enqueue answer was lost
      if (timer.now() - started > marketoLimits.jobTimeoutMs) {
        throw new ConnectorError("transient", `export job ${s.exportId} still ${st.status} after 3 h`);
      }
    }
  }
  return fileStep(http, s, pageSize, cache);
}

/** Bytes of the export file already downloaded past the checkpoint's offset (kept between pages of one read). */
interface FileCache {
  exportId: string;
  /** Byte offset of `data[0]` in the file. */
  offset: number;
  data: Buffer;
  final: boolean;
}

/** An empty cache. */
export const emptyFileCache = (): FileCache => ({
  exportId: "",
  offset: -1,
  data: Buffer.alloc(0),
  final: false,
});

/** Marketo bulk files write the text `null` for empty values. */
const dialect = { nullText: "null" };

async function fileStep(
  http: HttpClient,
  s: ReadState,
  pageSize: number,
  cache: FileCache,
): Promise<StepResult> {
  if (s.offset >= s.fileSize) {
    nextSub(s);
    return { records: [], deletions: [], rejected: [] };
  }
  const want = pageSize + (s.offset === 0 ? 1 : 0); // the header row
  const got = await fileRows(http, s, want, cache);
  if (got === undefined) {
    // The file expired (7 days): export the sub-window again (rows already handed on may repeat).
    Object.assign(s, { exportId: "", job: "", offset: 0, fileSize: 0 });
    return { records: [], deletions: [], rejected: [] };
  }
  let body = got.rows;
  if (s.offset === 0) {
    const header = body[0] ?? [];
    if (header.join(",") !== leadFieldNames.join(",")) {
      throw new ConnectorError(
        "bug",
        `export ${s.exportId}: unexpected CSV header ${sanitizeVendorText(header.join(","))}`,
      );
    }
    body = body.slice(1);
  }
  s.offset += got.bytes;
  if (s.offset >= s.fileSize || (got.final && got.rows.length < want)) nextSub(s);
  return { ...leadsOf(body), deletions: [] };
}

/**
 * Up to `want` complete rows of the file from the saved offset: from the bytes already downloaded, else by
 * Range requests that grow (×4) until they hold a whole row; undefined when the file is gone.
 */
async function fileRows(
  http: HttpClient,
  s: ReadState,
  want: number,
  cache: FileCache,
): Promise<{ rows: CsvRow[]; bytes: number; final: boolean } | undefined> {
  let length = Math.min(8 << 20, Math.max(16 << 10, want * 600));
  for (let cached = cache.exportId === s.exportId && cache.offset === s.offset; ; cached = false) {
    const chunk = cached ? cache : await fileChunk(http, s.exportId, s.offset, length);
    if (chunk === undefined) return undefined;
    const { rows, bytes } = parseCsvChunk(
      chunk.data,
      want,
      { first: s.offset === 0, final: chunk.final },
      dialect,
    );
    if (rows.length < want && !chunk.final) {
      if (!cached) {
        // A row longer than the chunk, or a chunk cut in a multi-byte character; never without bound.
        if (length >= maxFileChunkBytes) {
          throw new ConnectorError(
            "config",
            `export ${s.exportId}: a CSV row at byte ${s.offset} is longer than ${maxFileChunkBytes} bytes`,
          );
        }
        length = Math.min(length * 4, maxFileChunkBytes);
      }
      continue;
    }
    Object.assign(cache, {
      exportId: s.exportId,
      offset: s.offset + bytes,
      data: chunk.data.subarray(bytes),
      final: chunk.final,
    });
    return { rows, bytes, final: chunk.final };
  }
}

/** Bulk rows as leads typed like REST's; a row without a usable id or updatedAt, or of the wrong width, is rejected. */
function leadsOf(rows: readonly CsvRow[]): { records: RawRecord[]; rejected: RejectedRecord[] } {
  const records: RawRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const cells of rows) {
    const data = Object.fromEntries(leadFieldNames.map((f, i) => [f, typed(f, cells[i] ?? null)]));
    const id = data["id"] == null ? undefined : String(data["id"]);
    const ts = parseMarketoTime(data["updatedAt"]);
    if (id === undefined || ts === undefined || cells.length !== leadFieldNames.length) {
      const why = `bulk row without a usable ${id === undefined ? "id" : "updatedAt"} or with ${cells.length} cells`;
      rejected.push({
        id,
        data,
        error: new ConnectorError("record", why, id === undefined ? {} : { recordId: id }),
      });
      continue;
    }
    records.push({ id, sourceTimestamp: ts, data });
  }
  return { records, rejected };
}

/** Moves to the next sub-window, or to the deletions once the window is covered. */
function nextSub(s: ReadState): void {
  Object.assign(s, { sub: s.sub + 1, exportId: "", job: "", offset: 0, fileSize: 0 });
  if (s.from + s.sub * marketoLimits.bulkWindowMs >= s.to)
    Object.assign(s, { phase: "deletions", token: "" });
}

/** CSV cells are text: give ids, booleans and the text `null` their REST types. */
function typed(field: string, v: string | null): unknown {
  if (v === null) return null;
  const t = typeOf.get(field);
  if (t === "integer") return /^-?\d+$/.test(v) ? Number(v) : v;
  if (t === "boolean") return v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v;
  return v;
}
