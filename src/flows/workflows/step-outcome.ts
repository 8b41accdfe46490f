import { asRole, failDenied } from "./act-as-role.ts";
import { classifyFailure, halve, iso } from "./planner.ts";
import { readExecutionActions } from "./role-actions.ts";
import { clip, type RunnerContext } from "./runner-context.ts";
import { splitStep } from "./workflow-steps.ts";
import type { Workflow, WorkflowStep } from "./workflow-store.ts";

/**
 * Applies a step's execution to the step once it has ended: COMPLETE; a window too large → SPLIT; a
 * transient failure with attempts left → RETRY after 60 s × 2ⁿ (the retry base); else FAILED with its
 * reason. Returns true while the execution still runs.
 */
export async function reconcileStep(c: RunnerContext, wf: Workflow, s: WorkflowStep): Promise<boolean> {
  // As the workflow's role: reading the execution is appflow:DescribeFlowExecutionRecords.
  const denial = await asRole(c, c.o.db, wf, readExecutionActions(c.o.flows.arnOf(s.flowName)));
  if (denial) {
    await failDenied(c, c.o.db, wf.workflowId, s.stepId, denial);
    return false;
  }
  const row = await c.o.engine.executions.get(c.o.db, s.executionId!);
  if (row && (row.status === "InProgress" || row.status === "CancelStarted")) return true;
  const message = row?.execution_message || "The step's execution record is gone.";
  if (row?.status === "Successful") {
    await c.store.updateStep(c.o.db, s.stepId, {
      status: "COMPLETE",
      execution_id: null,
      execution_message: message,
    });
    return false;
  }
  const failure = row?.status === "Canceled" ? "permanent" : classifyFailure(message);
  if (failure === "window_too_large") {
    const halves = halve(s);
    if (halves) {
      await splitStep(c, wf, s, halves, message);
      return false;
    }
  }
  if (failure === "transient" && s.attempts < c.maxAttempts) {
    const delay = c.retryBaseMs * 2 ** (s.attempts - 1);
    const at = c.o.clock.now() + delay;
    await c.store.updateStep(c.o.db, s.stepId, {
      status: "RETRY",
      execution_id: null,
      next_run_at: at,
      execution_message: clip(`Retry ${s.attempts} of ${c.maxAttempts - 1} at ${iso(at)} after: ${message}`),
    });
    return false;
  }
  const why = failure === "transient" ? `Failed after ${s.attempts} attempts: ${message}` : message;
  await c.store.updateStep(c.o.db, s.stepId, {
    status: "FAILED",
    execution_id: null,
    execution_message: clip(why),
  });
  return false;
}
