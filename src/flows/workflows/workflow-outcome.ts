/** How a workflow ends: every step COMPLETE → the hand-off; some FAILED → the windows it is missing. */

import { type RoleAction, RoleDeniedError } from "../../core/workflow-role.ts";
import type { Queryable } from "../../db/queryable.ts";
import { asRole, failDenied } from "./act-as-role.ts";
import { tagOwnedByWorkflow } from "./owning-service-tag.ts";
import { iso, type Window } from "./planner.ts";
import { createFlowActions, startFlowActions } from "./role-actions.ts";
import { clip, type RunnerContext } from "./runner-context.ts";
import { continuousDefinition } from "./step-flows.ts";
import type { Workflow, WorkflowStep } from "./workflow-store.ts";

/**
 * Every step is COMPLETE: the continuous integration takes over where the history ended. Its flow and
 * integration are created, its schedule installed and the workflow marked COMPLETE in one transaction.
 */
export async function handOff(c: RunnerContext, wf: Workflow): Promise<void> {
  const def = continuousDefinition(wf.flowDefinition, wf.historyEnd);
  const flowArn = c.o.flows.arnOf(def.flowName);
  const profile = def.sourceFlowConfig.connectorProfileName ?? "";
  try {
    await c.o.db.transaction().execute(async (tx) => {
      let flow = await c.o.flows.get(tx, def.flowName);
      if (flow && flow.workflowId !== wf.workflowId) {
        await c.store.update(tx, wf.workflowId, {
          status: "FAILED",
          error_description: clip(
            `Every step is complete, but a flow named ${def.flowName} already exists, so the continuous integration could not be created.`,
          ),
        });
        return;
      }
      // As the workflow's role: creating the flow and its integration (tagged), then starting it.
      if (!flow) await mustAllow(c, tx, wf, createFlowActions(flowArn, wf.domainName, profile));
      // A flow of this workflow already there was created by an earlier hand-off: activating again is harmless.
      flow ??= await c.o.flows.create(tx, def, {
        status: "Active",
        hidden: false,
        workflowId: wf.workflowId,
      });
      await c.o.integrations.put(tx, {
        domainName: wf.domainName,
        uri: flow.flowArn,
        objectTypeName: wf.objectTypeName,
        flowName: def.flowName,
        roleArn: wf.roleArn,
        workflowId: wf.workflowId,
        hidden: false,
      });
      await tagOwnedByWorkflow(tx, flow.flowArn);
      await mustAllow(c, tx, wf, startFlowActions(flow.flowArn));
      await c.o.engine.activateIn(tx, flow);
      await c.store.update(tx, wf.workflowId, {
        status: "COMPLETE",
        error_description: null,
        integration_uri: flow.flowArn,
      });
      c.o.logger?.info(
        { workflowId: wf.workflowId, flowName: def.flowName, from: iso(wf.historyEnd) },
        "workflow complete: continuous integration started",
      );
    });
  } catch (e) {
    // The refusal rolled the hand-off back (its audit row with it): the row again and the workflow
    // FAILED with AWS's sentence, in one transaction — no FAILED workflow without its refusal's row.
    if (!(e instanceof RoleDeniedError)) throw e;
    const denial = e.denial;
    await c.o.db.transaction().execute(async (tx) => {
      await c.o.role.recordRefusal(tx, wf, denial);
      await failDenied(c, tx, wf.workflowId, undefined, denial);
    });
  }
}

/** Authorizes `actions` as the workflow's role inside `tx`; a refusal throws (rolling `tx` back). */
async function mustAllow(c: RunnerContext, tx: Queryable, wf: Workflow, actions: readonly RoleAction[]) {
  const denial = await asRole(c, tx, wf, actions);
  if (denial) throw new RoleDeniedError(denial);
}

/** The FAILED windows (adjacent ones merged), within ErrorDescription's 255 characters. */
export function missingWindows(steps: readonly WorkflowStep[]): Window[] {
  const out: Window[] = [];
  for (const s of steps.filter((x) => x.status === "FAILED").sort((a, b) => a.from - b.from)) {
    const prev = out[out.length - 1];
    if (prev && prev.to === s.from) out[out.length - 1] = { from: prev.from, to: s.to };
    else out.push({ from: s.from, to: s.to });
  }
  return out;
}

/** The ErrorDescription of a workflow whose leaf steps ended with some FAILED: which windows are missing. */
export function describeMissing(leaves: readonly WorkflowStep[]): string {
  const failed = leaves.filter((s) => s.status === "FAILED");
  const windows = missingWindows(failed).map((w) => `[${iso(w.from)}, ${iso(w.to)})`);
  return clip(`${failed.length} of ${leaves.length} steps failed; missing windows: ${windows.join(", ")}`);
}
