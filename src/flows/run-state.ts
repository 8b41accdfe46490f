import type { FlatCheckpoint } from "../connectors/sdk/index.ts";
import type { ExecutionRow } from "./execution-record.ts";

/** What the run has committed so far: counts, the last checkpoint and the window it read. */
export interface RunState {
  /** When the last checkpoint committed (the execution's time at claim, then each group's commit). */
  replaySince: number;
  totals: Totals;
  checkpoint: FlatCheckpoint | undefined;
  window: { from: number; to: number } | undefined;
}

/** What a run has counted: records processed, put failures, records dropped, deletions. */
export interface Totals {
  records: number;
  putFailures: number;
  dropped: number;
  deletions: number;
}

/** The counts an execution row has recorded. */
export function totalsOfRow(r: ExecutionRow): Totals {
  return {
    records: r.records_processed,
    putFailures: r.put_failures_count,
    dropped: r.records_dropped,
    deletions: r.deletions_processed,
  };
}

export function addTotals(t: Totals, d: Totals): Totals {
  return {
    records: t.records + d.records,
    putFailures: t.putFailures + d.putFailures,
    dropped: t.dropped + d.dropped,
    deletions: t.deletions + d.deletions,
  };
}

/** The counts in words, for an execution's message. */
export function totalsSummary(t: Totals): string {
  return `${t.records} records processed, ${t.putFailures} put failures, ${t.dropped} dropped by validation, ${t.deletions} deletions`;
}
