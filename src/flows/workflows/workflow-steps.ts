import { isProfileflowError } from "../../core/errors.ts";
import { uuid } from "../../core/ids.ts";
import type { Queryable } from "../../db/queryable.ts";
import { asRole, failDenied } from "./act-as-role.ts";
import { iso, MAX_STEPS, type Window } from "./planner.ts";
import { createFlowActions, startFlowActions } from "./role-actions.ts";
import { clip, type RunnerContext } from "./runner-context.ts";
import { createStepFlow, stepFlowName } from "./step-flows.ts";
import type { Workflow, WorkflowStep } from "./workflow-store.ts";

/** The workflow fields a new step's hidden flow is made from. */
export type StepParent = Pick<
  Workflow,
  "workflowId" | "domainName" | "objectTypeName" | "roleArn" | "flowDefinition"
>;

/** Adds step `seq` over `w` with its hidden flow and integration; a `split` step only groups its parts. */
export async function addStep(
  c: RunnerContext,
  tx: Queryable,
  wf: StepParent,
  seq: number,
  w: Window,
  parent: string | undefined,
  split: boolean,
): Promise<string> {
  const stepId = uuid();
  const flowName = stepFlowName(wf.flowDefinition.flowName, wf.workflowId, seq);
  await createStepFlow(tx, c.o, wf, flowName);
  await c.store.insertStep(tx, {
    stepId,
    workflowId: wf.workflowId,
    seq,
    flowName,
    from: w.from,
    to: w.to,
    parentStepId: parent,
    ...(split
      ? {
          status: "SPLIT" as const,
          message: "Split: the window is longer than the source allows in one read.",
        }
      : {}),
  });
  return stepId;
}

/**
 * Starts one attempt of a step: a bounded execution of its hidden flow over its window, recorded on the
 * step in the same transaction. As the workflow's role: appflow:DescribeFlow and appflow:StartFlow;
 * a refusal fails the step and the workflow (returns false).
 */
export async function startStep(c: RunnerContext, wf: Workflow, s: WorkflowStep): Promise<boolean> {
  const db = c.o.db;
  const denial = await asRole(c, db, wf, startFlowActions(c.o.flows.arnOf(s.flowName)));
  if (denial) {
    await failDenied(c, db, wf.workflowId, s.stepId, denial);
    return false;
  }
  const flow = await c.o.flows.get(db, s.flowName);
  if (!flow) {
    await c.store.updateStep(db, s.stepId, {
      status: "FAILED",
      execution_message: `The step's flow ${s.flowName} does not exist any more.`,
    });
    return true;
  }
  const record = (q: Queryable, executionId: string) =>
    c.store.updateStep(q, s.stepId, {
      status: s.status === "RETRY" ? "RETRY" : "IN_PROGRESS",
      attempts: s.attempts + 1,
      execution_id: executionId,
      execution_message: `Attempt ${s.attempts + 1} of ${c.maxAttempts} reading ${iso(s.from)} to ${iso(s.to)}.`,
    });
  try {
    await db
      .transaction()
      .execute(async (tx) => record(tx, await c.o.engine.runBoundedWindowIn(tx, flow, s.from, s.to)));
  } catch (e) {
    // An execution of the flow already running (started by an older process): adopt it.
    const active = isProfileflowError(e, "CONFLICT")
      ? await c.o.engine.executions.activeExecution(db, s.flowName)
      : undefined;
    if (!active) throw e;
    await record(db, active);
  }
  return true;
}

/** A window too large for the vendor: the step becomes SPLIT and its halves are new steps. */
export async function splitStep(
  c: RunnerContext,
  wf: Workflow,
  s: WorkflowStep,
  halves: readonly Window[],
  message: string,
): Promise<void> {
  await c.o.db.transaction().execute(async (tx) => {
    let seq = await c.store.maxSeq(tx, wf.workflowId);
    if (seq + halves.length > MAX_STEPS) {
      await c.store.updateStep(tx, s.stepId, {
        status: "FAILED",
        execution_id: null,
        execution_message: clip(`Too many steps to split further: ${message}`),
      });
      return;
    }
    const profile = wf.flowDefinition.sourceFlowConfig.connectorProfileName ?? "";
    const arns = halves.map((_, i) =>
      c.o.flows.arnOf(stepFlowName(wf.flowDefinition.flowName, wf.workflowId, seq + i + 1)),
    );
    const denial = await asRole(
      c,
      tx,
      wf,
      arns.flatMap((a) => createFlowActions(a, wf.domainName, profile)),
    );
    if (denial) return failDenied(c, tx, wf.workflowId, s.stepId, denial);
    for (const h of halves) await addStep(c, tx, wf, ++seq, h, s.stepId, false);
    await c.store.updateStep(tx, s.stepId, {
      status: "SPLIT",
      execution_id: null,
      execution_message: clip(`Split into ${halves.length} smaller windows: ${message}`),
    });
  });
}
