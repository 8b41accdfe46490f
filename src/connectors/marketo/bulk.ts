import { ConnectorError, type HttpClient, isConnectorError } from "../sdk/index.ts";
import { hasCode } from "./errors.ts";
import { isoSeconds } from "./query.ts";
import { leadFieldNames } from "./spec.ts";

/** The status of an export job as `status.json` reports it. */
export interface JobStatus {
  readonly status: string;
  /** Completed jobs: the file's size in bytes. */
  readonly fileSize: number | undefined;
}

async function jobCall(http: HttpClient, method: "GET" | "POST", path: string, json?: unknown) {
  const res = await http.request({ method, path, ...(json === undefined ? {} : { json }) });
  const body = res.body as { success?: unknown; result?: Record<string, unknown>[] } | undefined;
  const job = body?.success === true ? body.result?.[0] : undefined;
  if (!job) throw new ConnectorError("transient", `${path}: answer without a job`, { status: res.status });
  return job;
}

/** Creates a CSV export of the lead fields updated in `[startAt, endAt)` (whole seconds); returns its id. */
export async function createExport(http: HttpClient, startAt: number, endAt: number): Promise<string> {
  const job = await jobCall(http, "POST", "/bulk/v1/leads/export/create.json", {
    fields: leadFieldNames,
    format: "CSV",
    filter: { updatedAt: { startAt: isoSeconds(startAt), endAt: isoSeconds(endAt) } },
  });
  const id = job["exportId"];
  if (typeof id !== "string" || id === "") throw new ConnectorError("transient", "create.json: no exportId");
  return id;
}

/**
 * Enqueues a created job. A full queue (1029) is waited out by the client a minute at a time; "already
 * queued" means an earlier enqueue went through and its answer was lost.
 */
export async function enqueueExport(http: HttpClient, exportId: string): Promise<void> {
  try {
    await jobCall(http, "POST", `/bulk/v1/leads/export/${encodeURIComponent(exportId)}/enqueue.json`);
  } catch (e) {
    if (!hasCode(e, "1029") || e.class !== "config") throw e;
  }
}

/** The job's status; undefined when Marketo no longer knows the job (status kept 30 days). */
export async function exportStatus(http: HttpClient, exportId: string): Promise<JobStatus | undefined> {
  try {
    const job = await jobCall(
      http,
      "GET",
      `/bulk/v1/leads/export/${encodeURIComponent(exportId)}/status.json`,
    );
    const size = job["fileSize"];
    return { status: String(job["status"]), fileSize: typeof size === "number" ? size : undefined };
  } catch (e) {
    if (hasCode(e, "1003") || hasCode(e, "610")) return undefined;
    throw e;
  }
}

/** Bytes of a range of an export file; `final` when the range reaches the end of the file. */
interface FileChunk {
  readonly data: Buffer;
  readonly final: boolean;
}

/**
 * Bytes `[start, start + length)` of a completed job's file (Range → 206, or a whole-file 200 when Range
 * is ignored), or undefined when the file is gone (404 text/plain: expired after 7 days, or not ready).
 * A range may end inside a UTF-8 character: callers use only the complete rows at its start.
 */
export async function fileChunk(
  http: HttpClient,
  exportId: string,
  start: number,
  length: number,
): Promise<FileChunk | undefined> {
  let res: Awaited<ReturnType<HttpClient["request"]>>;
  try {
    res = await http.request({
      path: `/bulk/v1/leads/export/${encodeURIComponent(exportId)}/file.json`,
      headers: { range: `bytes=${start}-${start + length - 1}`, accept: "text/csv" },
    });
  } catch (e) {
    if (isConnectorError(e) && e.status === 404) return undefined;
    throw e;
  }
  if (res.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers["content-range"] ?? "");
    if (!m || Number(m[1]) !== start) {
      throw new ConnectorError(
        "transient",
        `file.json: unexpected Content-Range ${res.headers["content-range"]}`,
      );
    }
    return { data: Buffer.from(res.text, "utf8"), final: Number(m[2]) + 1 >= Number(m[3]) };
  }
  const whole = Buffer.from(res.text, "utf8"); // the server ignored Range: cut it here
  return { data: whole.subarray(start, start + length), final: start + length >= whole.length };
}
