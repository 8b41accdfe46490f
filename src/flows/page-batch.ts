import type { FlatCheckpoint, Page } from "../connectors/sdk/index.ts";
import type { SinkRecord, SinkRejected } from "./record-sink.ts";
import type { CompiledTasks } from "./tasks/compile-tasks.ts";

/** A page after the tasks: what goes to the sink, and what the execution counts. */
export interface PreparedPage {
  readonly records: SinkRecord[];
  readonly rejected: SinkRejected[];
  readonly bytesProcessed: number;
  readonly filtered: number;
  readonly dropped: number;
  /** Set when a Validate task with TerminateFlow rejected a record: the execution fails, nothing commits. */
  readonly terminate?: string;
}

/** Applies the compiled tasks to a page's records; connector rejects become dead letters too. */
export function preparePage(page: Page, tasks: CompiledTasks): PreparedPage {
  const records: SinkRecord[] = [];
  const rejected: SinkRejected[] = page.rejected.map((r) => ({
    recordId: r.id,
    data: r.data,
    code: `connector.${r.error.class}`,
    message: r.error.message,
  }));
  // The wire size when the connector knows it; else each record's JSON (one serialization per record).
  const measure = page.bytes === undefined;
  let bytes = page.bytes ?? 0;
  let filtered = 0;
  let dropped = 0;
  for (const raw of page.records) {
    if (measure) bytes += Buffer.byteLength(JSON.stringify(raw.data));
    const out = tasks(raw.data);
    switch (out.kind) {
      case "keep":
        records.push({ id: raw.id, sourceTimestamp: raw.sourceTimestamp, data: out.data });
        break;
      case "filtered":
        filtered++;
        break;
      case "dropped":
        dropped++;
        break;
      case "failed":
        rejected.push({ recordId: raw.id, data: raw.data, code: "TASK_FAILED", message: out.reason });
        break;
      case "terminate":
        return {
          records,
          rejected,
          bytesProcessed: bytes,
          filtered,
          dropped,
          terminate: `Validation failed for record ${raw.id}: ${out.reason}; the flow's Validate task terminates the flow`,
        };
    }
  }
  if (measure) for (const r of page.rejected) bytes += Buffer.byteLength(JSON.stringify(r.data ?? null));
  return { records, rejected, bytesProcessed: bytes, filtered, dropped };
}

/** The window a checkpoint covers when it carries numeric `from`/`to` (the SDK connectors' convention). */
export function windowOfCheckpoint(c: FlatCheckpoint | undefined): { from: number; to: number } | undefined {
  const from = c?.["from"];
  const to = c?.["to"];
  return typeof from === "number" && typeof to === "number" ? { from, to } : undefined;
}
