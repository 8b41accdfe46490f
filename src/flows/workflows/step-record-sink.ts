import type { RecordSink } from "../record-sink.ts";
import type { WorkflowStore } from "./workflow-store.ts";

/**
 * Wraps the engine's sink: pages of a workflow step's hidden flow also note their record ids, in the
 * page's own transaction, so RecordsProcessed counts distinct records whatever retries re-read.
 */
export function trackStepRecords(inner: RecordSink, store: WorkflowStore): RecordSink {
  return {
    ...(inner.prefetch ? { prefetch: inner.prefetch.bind(inner) } : {}),
    async writeBatch(tx, batch) {
      const result = await inner.writeBatch(tx, batch);
      const { workflowId, hidden } = batch.flow;
      const written = batch.records.slice(0, result.consumed ?? batch.records.length);
      if (workflowId && hidden && written.length > 0) {
        await store.noteRecords(
          tx,
          workflowId,
          batch.flow.definition.flowName,
          written.map((r) => r.id),
        );
      }
      return result;
    },
  };
}
