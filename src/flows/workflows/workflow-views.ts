import type { Queryable } from "../../db/queryable.ts";
import type { ExecutionStore } from "../execution-store.ts";
import type { StepStatus, Workflow, WorkflowStore } from "./workflow-store.ts";

/** GetWorkflow's Metrics: distinct records, and leaf steps (a SPLIT step counts through its parts). */
export interface WorkflowMetrics {
  readonly recordsProcessed: number;
  readonly stepsCompleted: number;
  readonly totalSteps: number;
}

/** One step as GetWorkflowSteps shows it, with its live execution's status and message. */
export interface StepView {
  readonly flowName: string;
  readonly status: StepStatus;
  readonly executionMessage: string;
  readonly recordsProcessed: number;
  readonly from: number;
  readonly to: number;
  readonly attempts: number;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
}

/** The workflow's metrics. */
export async function workflowMetrics(
  q: Queryable,
  store: WorkflowStore,
  wf: Workflow,
): Promise<WorkflowMetrics> {
  const leaves = (await store.steps(q, wf.workflowId)).filter((s) => s.status !== "SPLIT");
  return {
    recordsProcessed: await store.recordsOfWorkflow(q, wf.workflowId),
    stepsCompleted: leaves.filter((s) => s.status === "COMPLETE").length,
    totalSteps: leaves.length,
  };
}

/** Every step in window order; a running step shows its execution's own message (paused, retrying, ...). */
export async function stepViews(
  q: Queryable,
  store: WorkflowStore,
  executions: ExecutionStore,
  workflowId: string,
): Promise<StepView[]> {
  const records = await store.recordsByStep(q, workflowId);
  const out: StepView[] = [];
  for (const s of await store.steps(q, workflowId)) {
    let status = s.status;
    let message = s.executionMessage;
    let updated = s.lastUpdatedAt;
    if (s.executionId) {
      const row = await executions.get(q, s.executionId);
      if (row && (row.status === "InProgress" || row.status === "CancelStarted")) {
        if (row.execution_message) message = row.execution_message;
        updated = Math.max(updated, Number(row.last_updated_at));
        // The engine retries a transient failure inside the execution: that is a retry too.
        if (row.attempt > 0 && row.lease_owner === null && /^Retrying/.test(row.execution_message))
          status = "RETRY";
      }
    }
    out.push({
      flowName: s.flowName,
      status,
      executionMessage: message || defaultMessage(status),
      recordsProcessed: records.get(s.flowName) ?? 0,
      from: s.from,
      to: s.to,
      attempts: s.attempts,
      createdAt: s.createdAt,
      lastUpdatedAt: updated,
    });
  }
  return out;
}

function defaultMessage(status: StepStatus): string {
  return status === "NOT_STARTED" ? "Waiting for its turn." : status;
}
