import type { RecordSink } from "../record-sink.ts";
import type { WorkflowStore } from "./workflow-store.ts";

/**
 * Wraps the engine's sink: pages of a workflow step's hidden flow also note their record ids, in the
 * page's own transaction, so RecordsProcessed counts distinct records whatever retries re-read.
 */
export function trackStepRecords(inner: RecordSink, store: WorkflowStore): RecordSink {
  return {
    async writeBatch(tx, batch) {
      const result = await inner.writeBatch(tx, batch);
      const { workflowId, hidden } = batch.flow;
      if (workflowId && hidden && batch.records.length > 0) {
        await store.noteRecords(
          tx,
          workflowId,
          batch.flow.definition.flowName,
          batch.records.map((r) => r.id),
        );
      }
      return result;
    },
  };
}
