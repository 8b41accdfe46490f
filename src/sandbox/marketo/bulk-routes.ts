/**
 * Bulk Lead Extract routes under `/bulk/v1/leads/export`: create, enqueue, status, file (CSV, with
 * Range), cancel, and the job list. The file route answers 404 text/plain until the job completes.
 */
import type { Reply, SandboxRequest } from "../core/index.ts";
import { bodyJson } from "../core/index.ts";
import type { ExportJob } from "./bulk-export-jobs.ts";
import { presentJob } from "./bulk-export-jobs.ts";
import { leadRecord, type MarketoContext } from "./context.ts";
import { toCsv } from "./csv.ts";
import { type MarketoEnvelope, MarketoError, success } from "./envelope.ts";

const jobPath = /^\/bulk\/v1\/leads\/export\/([^/]+)\/(enqueue|status|file|cancel)\.json$/;

/** Routes a bulk path: an envelope, a raw Reply (the file), or undefined when no route matches. */
export function bulkRoute(
  ctx: MarketoContext,
  req: SandboxRequest,
  method: string,
): MarketoEnvelope | Reply | undefined {
  const path = req.url.pathname;
  const now = req.now;
  if (path === "/bulk/v1/leads/export/create.json") {
    if (method !== "POST") throw new MarketoError("605");
    const raw = req.body.length > 0 ? bodyJson(req) : {};
    if (raw === undefined) throw new MarketoError("609");
    return success(now, [presentJob(ctx.jobs.create(raw, now))]);
  }
  if (path === "/bulk/v1/leads/export.json") {
    const status = req.url.searchParams.get("status");
    const statuses = status ? new Set(status.split(",").map((s) => s.trim())) : undefined;
    return success(now, ctx.jobs.list(now, statuses).map(presentJob));
  }
  const m = jobPath.exec(path);
  if (!m) return undefined;
  const id = decodeURIComponent(m[1]!);
  switch (m[2]) {
    case "enqueue":
      if (method !== "POST") throw new MarketoError("605");
      return success(now, [presentJob(ctx.jobs.enqueue(id, now))]);
    case "cancel":
      if (method !== "POST") throw new MarketoError("605");
      return success(now, [presentJob(ctx.jobs.cancel(id, now))]);
    case "status":
      return success(now, [presentJob(ctx.jobs.status(id, now))]);
    default:
      return fileReply(ctx, req, id);
  }
}

function fileReply(ctx: MarketoContext, req: SandboxRequest, id: string): Reply {
  const file = ctx.jobs.file(id, req.now);
  if (!file)
    return {
      status: 404,
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: "Export file not found",
    };
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ""));
  if (!range || (range[1] === "" && range[2] === "")) {
    return {
      status: 200,
      headers: { "content-type": "text/csv;charset=UTF-8", "accept-ranges": "bytes" },
      body: file,
    };
  }
  let start: number;
  let end: number;
  if (range[1] === "") {
    start = Math.max(0, file.length - Number(range[2]));
    end = file.length - 1;
  } else {
    start = Number(range[1]);
    end = range[2] === "" ? file.length - 1 : Math.min(Number(range[2]), file.length - 1);
  }
  if (start >= file.length || start > end) {
    return { status: 416, headers: { "content-range": `bytes */${file.length}` }, body: "" };
  }
  return {
    status: 206,
    headers: {
      "content-type": "text/csv;charset=UTF-8",
      "content-range": `bytes ${start}-${end}/${file.length}`,
    },
    body: file.subarray(start, end + 1),
  };
}

/** Builds a completed job's CSV from the lead store as of `at`: the leads whose filter field is in the window. */
export function buildExport(ctx: Pick<MarketoContext, "leads">, job: Readonly<ExportJob>, at: number) {
  const store = ctx.leads;
  const { field, startAt, endAt } = job.filter;
  const rows: Record<string, unknown>[] = [];
  const versions =
    field === "updatedAt" ? store.scan({ from: startAt, to: endAt, now: at }) : store.scan({ now: at });
  for (const v of versions) {
    if (v.deleted) continue;
    if (field === "createdAt" && (v.createdAt < startAt || v.createdAt >= endAt)) continue;
    rows.push(leadRecord(store, v));
  }
  return { csv: toCsv(job.fields, rows), numberOfRecords: rows.length };
}
