import { invalid } from "../../core/errors.ts";

/** A half-open UTC window `[from, to)` in epoch ms. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** The seed's batch size: two calendar months. */
export const DEFAULT_BATCH_MONTHS = 2;
/** The seed: history further back than this becomes a workflow rather than one incremental flow. */
export const BULK_THRESHOLD_DAYS = 60;
/** No split makes a window smaller than this: past it a too-large window is a failure. */
export const MIN_SPLIT_MS = 60_000;
/** Steps one workflow may hold (a guard against absurd Batches lists and split storms). */
export const MAX_STEPS = 2_000;

/** `t` moved by `months` calendar months in UTC, the day clamped to the target month's length. */
export function addUtcMonths(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(
    y,
    m,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/**
 * Batches of `months` calendar months (UTC) covering `[from, to)`; the last one ends at `to`.
 * Each boundary is computed from `from` (not from the previous boundary) so clamped days never drift.
 */
export function planBatches(from: number, to: number, months = DEFAULT_BATCH_MONTHS): Window[] {
  if (!(from < to)) throw invalid("FirstExecutionFrom", "The ingestion start must be before now.");
  const out: Window[] = [];
  for (let k = 1, start = from; start < to; k++) {
    const end = Math.min(addUtcMonths(from, k * months), to);
    out.push({ from: start, to: end });
    start = end;
  }
  return out;
}

/** Checks explicit Batches: each non-empty, none overlapping; returns them sorted by start. */
export function checkBatches(batches: readonly Window[]): Window[] {
  if (batches.length === 0) throw invalid("Batches", "Batches must hold at least one batch.");
  if (batches.length > MAX_STEPS) throw invalid("Batches", `Batches may hold at most ${MAX_STEPS} batches.`);
  const sorted = [...batches].sort((a, b) => a.from - b.from);
  sorted.forEach((b, i) => {
    if (!(b.from < b.to)) throw invalid(`Batches.${i}`, "A batch's StartTime must be before its EndTime.");
    const prev = sorted[i - 1];
    // Overlapping batches would ingest the overlap twice and blur which step owns a record.
    if (prev && b.from < prev.to) {
      throw invalid(
        "Batches",
        `Batches overlap: ${iso(prev.from)}–${iso(prev.to)} and ${iso(b.from)}–${iso(b.to)}.`,
      );
    }
  });
  return sorted;
}

/** `w` cut into the fewest equal pieces no longer than `maxMs` (whole ms; the last absorbs the rest). */
export function splitWindow(w: Window, maxMs: number): Window[] {
  const span = w.to - w.from;
  if (span <= maxMs) return [w];
  const n = Math.ceil(span / maxMs);
  const size = Math.floor(span / n);
  return Array.from({ length: n }, (_, i) => ({
    from: w.from + i * size,
    to: i === n - 1 ? w.to : w.from + (i + 1) * size,
  }));
}

/** One step a workflow starts with: a batch (`split` when it only groups its parts) or one of its parts. */
export interface PlannedStep {
  readonly window: Window;
  /** The batch is longer than the source allows in one read: its parts follow it. */
  readonly split: boolean;
  /** A part of the split batch before it. */
  readonly child: boolean;
}

/** The steps of `batches`, in order: a batch longer than `maxWindowMs` followed by its equal parts. */
export function planSteps(batches: readonly Window[], maxWindowMs: number | undefined): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const batch of batches) {
    const pieces = maxWindowMs ? splitWindow(batch, maxWindowMs) : [batch];
    out.push({ window: batch, split: pieces.length > 1, child: false });
    if (pieces.length > 1) for (const p of pieces) out.push({ window: p, split: false, child: true });
  }
  return out;
}

/** The two halves of a window that proved too large at run time, or undefined below MIN_SPLIT_MS. */
export function halve(w: Window): [Window, Window] | undefined {
  if (w.to - w.from < 2 * MIN_SPLIT_MS) return undefined;
  const mid = w.from + Math.floor((w.to - w.from) / 2);
  return [
    { from: w.from, to: mid },
    { from: mid, to: w.to },
  ];
}

/** What a failed step execution calls for. */
export type StepFailure = "transient" | "window_too_large" | "permanent";

/**
 * Vendor signals that a window holds too much for one read: Salesforce QUERY_TIMEOUT (the connector's
 * reason "the query ran too long: split the window"), Marketo 1003 "Date range exceeds 31 days",
 * and size limits. The engine reports failures as text (ExecutionFinished.message), so we match it.
 */
const TOO_LARGE = [
  /QUERY_TIMEOUT/i,
  /ran too long/i,
  /split the window/i,
  /exceeds 31 days/i,
  /\b1003\b/,
  /too large/i,
];

/** Classifies an execution's failure message (execution-runner.ts words its outcomes). */
export function classifyFailure(message: string): StepFailure {
  if (TOO_LARGE.some((r) => r.test(message))) return "window_too_large";
  if (/^Failed after \d+ attempts with transient source errors/.test(message)) return "transient";
  return "permanent";
}

/** ISO-8601 UTC text of an epoch-ms time (BatchRecordsStartTime/EndTime and messages). */
export function iso(t: number): string {
  return new Date(t).toISOString();
}
