/**
 * The Bulk Lead Extract job state machine (sources.md §3.2c, §6.4): Created → Queued → Processing →
 * Completed, or Cancelled. Status moves only on 60 s boundaries of the sandbox clock, at most 2 jobs
 * process and 10 are queued (processing included), and completed files count against a daily
 * byte allocation that resets at midnight America/Chicago. Pure apart from the clock values passed in.
 */
import { createHash } from "node:crypto";
import { chicagoDay, formatJobDate, parseMarketoDate } from "./dates.ts";
import { MarketoError } from "./envelope.ts";
import { leadField } from "./lead-fields.ts";

/** The lifecycle states Marketo reports. */
export type ExportStatus = "Created" | "Queued" | "Processing" | "Cancelled" | "Completed" | "Failed";

/** A date-range filter, half-open `[startAt, endAt)` in epoch ms. */
export interface ExportFilter {
  field: "createdAt" | "updatedAt";
  startAt: number;
  endAt: number;
}

/** One export job. */
export interface ExportJob {
  exportId: string;
  status: ExportStatus;
  fields: string[];
  filter: ExportFilter;
  createdAt: number;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  file?: Buffer;
  numberOfRecords?: number;
}

/** Limits and behaviour; defaults are Marketo's. */
export interface BulkExportOptions {
  maxProcessing: number;
  maxQueued: number;
  dailyQuotaBytes: number;
  /** Status changes happen only on multiples of this many ms. */
  tickMs: number;
  maxWindowMs: number;
  /** false reproduces subscriptions without the updatedAt filter (error 1035). */
  updatedAtFilter: boolean;
  fileRetentionMs: number;
}

export const defaultBulkExportOptions: BulkExportOptions = {
  maxProcessing: 2,
  maxQueued: 10,
  dailyQuotaBytes: 500 * 1024 * 1024,
  tickMs: 60_000,
  maxWindowMs: 31 * 86_400_000,
  updatedAtFilter: true,
  fileRetentionMs: 7 * 86_400_000,
};

/** Produces the file for a job when it completes: the rows and their CSV text. */
export type ExportBuilder = (
  job: Readonly<ExportJob>,
  at: number,
) => { csv: string; numberOfRecords: number };

/** All export jobs of one sandbox. */
export class BulkExportJobs {
  readonly #jobs = new Map<string, ExportJob>();
  readonly #opts: BulkExportOptions;
  readonly #build: ExportBuilder;
  readonly #newId: () => string;
  readonly #usedBytes = new Map<string, number>();
  #lastTick = Number.NEGATIVE_INFINITY;

  constructor(build: ExportBuilder, newId: () => string, opts: Partial<BulkExportOptions> = {}) {
    this.#build = build;
    this.#newId = newId;
    this.#opts = { ...defaultBulkExportOptions, ...opts };
  }

  /** Changes limits from now on (the rate-limit scale knob moved). */
  configure(opts: Partial<BulkExportOptions>): void {
    Object.assign(this.#opts, opts);
  }

  /** Validates a create.json body and records a job in state Created. */
  create(body: unknown, now: number): ExportJob {
    this.advance(now);
    const b = (body ?? {}) as Record<string, unknown>;
    if (!Array.isArray(b["fields"]) || b["fields"].length === 0)
      throw new MarketoError("1003", "fields is required");
    const fields = b["fields"].map(String);
    for (const name of fields) {
      if (!leadField(name)) throw new MarketoError("1006", `Field '${name}' not found`);
    }
    if (b["format"] !== undefined && b["format"] !== "CSV")
      throw new MarketoError("1003", "Invalid format, only CSV is supported");
    const filter = parseFilter(b["filter"], this.#opts);
    const job: ExportJob = { exportId: this.#newId(), status: "Created", fields, filter, createdAt: now };
    this.#jobs.set(job.exportId, job);
    return job;
  }

  /** Moves a Created job to Queued, unless the queue is full or the daily allocation is spent (1029). */
  enqueue(exportId: string, now: number): ExportJob {
    this.advance(now);
    const job = this.#get(exportId);
    if (job.status !== "Created") throw new MarketoError("1029", `Export job '${exportId}' already queued`);
    const inQueue = [...this.#jobs.values()].filter(
      (j) => j.status === "Queued" || j.status === "Processing",
    ).length;
    if (inQueue >= this.#opts.maxQueued) throw new MarketoError("1029", "Too many jobs in queue");
    if ((this.#usedBytes.get(chicagoDay(now)) ?? 0) >= this.#opts.dailyQuotaBytes) {
      throw new MarketoError(
        "1029",
        `Export daily quota ${Math.round(this.#opts.dailyQuotaBytes / 1048576)}MB exceeded`,
      );
    }
    job.status = "Queued";
    job.queuedAt = now;
    return job;
  }

  /** Cancels a job that has not finished. */
  cancel(exportId: string, now: number): ExportJob {
    this.advance(now);
    const job = this.#get(exportId);
    if (job.status === "Completed" || job.status === "Failed" || job.status === "Cancelled") {
      throw new MarketoError("1003", `Cannot cancel export job in status ${job.status}`);
    }
    job.status = "Cancelled";
    return job;
  }

  /** The job as of `now`. */
  status(exportId: string, now: number): ExportJob {
    this.advance(now);
    return this.#get(exportId);
  }

  /** The finished file, or undefined when the job is unknown, unfinished or its file has expired. */
  file(exportId: string, now: number): Buffer | undefined {
    this.advance(now);
    const job = this.#jobs.get(exportId);
    if (job?.status !== "Completed" || !job.file) return undefined;
    if (now - (job.finishedAt ?? now) > this.#opts.fileRetentionMs) return undefined;
    return job.file;
  }

  /** Jobs created in the last 7 days, optionally only those in `statuses`. */
  list(now: number, statuses?: ReadonlySet<string>): ExportJob[] {
    this.advance(now);
    return [...this.#jobs.values()].filter(
      (j) => now - j.createdAt <= 7 * 86_400_000 && (!statuses || statuses.has(j.status)),
    );
  }

  /** Bytes of export files completed on the Chicago day of `now`. */
  usedBytes(now: number): number {
    return this.#usedBytes.get(chicagoDay(now)) ?? 0;
  }

  /** Applies every 60 s boundary up to `now`: finish processing jobs, then start queued ones (FIFO). */
  advance(now: number): void {
    const tick = this.#opts.tickMs;
    for (;;) {
      const active = [...this.#jobs.values()].filter(
        (j) => j.status === "Queued" || j.status === "Processing",
      );
      if (active.length === 0) return;
      active.sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0));
      const since = Math.min(...active.map((j) => (j.status === "Queued" ? j.queuedAt! : j.startedAt!)));
      const t = Math.max(this.#lastTick + tick, Math.floor(since / tick) * tick + tick);
      if (t > now) return;
      this.#lastTick = t;
      for (const j of active) if (j.status === "Processing" && j.startedAt! < t) this.#complete(j, t);
      let processing = active.filter((j) => j.status === "Processing").length;
      for (const j of active) {
        if (processing >= this.#opts.maxProcessing) break;
        if (j.status !== "Queued" || j.queuedAt! >= t) continue;
        j.status = "Processing";
        j.startedAt = t;
        processing++;
      }
    }
  }

  #complete(job: ExportJob, at: number): void {
    const { csv, numberOfRecords } = this.#build(job, at);
    job.file = Buffer.from(csv, "utf8");
    job.numberOfRecords = numberOfRecords;
    job.finishedAt = at;
    job.status = "Completed";
    const day = chicagoDay(at);
    this.#usedBytes.set(day, (this.#usedBytes.get(day) ?? 0) + job.file.length);
  }

  #get(exportId: string): ExportJob {
    const job = this.#jobs.get(exportId);
    if (!job) throw new MarketoError("1003", `Export id '${exportId}' not found`);
    return job;
  }
}

function parseFilter(raw: unknown, opts: BulkExportOptions): ExportFilter {
  const filter = (raw ?? {}) as Record<string, unknown>;
  const keys = Object.keys(filter);
  if (keys.length !== 1) throw new MarketoError("1003", "Exactly one filter type is required");
  const field = keys[0]!;
  if (field !== "createdAt" && field !== "updatedAt")
    throw new MarketoError("1035", "Unsupported filter type for target subscription");
  if (field === "updatedAt" && !opts.updatedAtFilter) {
    throw new MarketoError("1035", "Unsupported filter type for target subscription");
  }
  const range = (filter[field] ?? {}) as Record<string, unknown>;
  const startAt =
    typeof range["startAt"] === "string" ? parseMarketoDate(range["startAt"], false) : undefined;
  const endAt = typeof range["endAt"] === "string" ? parseMarketoDate(range["endAt"], false) : undefined;
  if (startAt === undefined || endAt === undefined) {
    throw new MarketoError(
      "1003",
      "Invalid date range: startAt and endAt must be ISO-8601 without milliseconds",
    );
  }
  if (endAt <= startAt) throw new MarketoError("1003", "endAt must be after startAt");
  if (endAt - startAt > opts.maxWindowMs) throw new MarketoError("1003", "Date range exceeds 31 days");
  return { field, startAt, endAt };
}

/** The `result` item Marketo returns for a job (create, enqueue, status, cancel, list). */
export function presentJob(job: Readonly<ExportJob>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    exportId: job.exportId,
    format: "CSV",
    status: job.status,
    createdAt: formatJobDate(job.createdAt),
  };
  if (job.queuedAt !== undefined) out["queuedAt"] = formatJobDate(job.queuedAt);
  if (job.startedAt !== undefined) out["startedAt"] = formatJobDate(job.startedAt);
  if (job.status === "Completed" && job.file) {
    out["finishedAt"] = formatJobDate(job.finishedAt!);
    out["numberOfRecords"] = job.numberOfRecords;
    out["fileSize"] = job.file.length;
    out["fileChecksum"] = `sha256:${createHash("sha256").update(job.file).digest("hex")}`;
  }
  return out;
}
