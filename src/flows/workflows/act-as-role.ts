import type { RoleAction, RoleDenial } from "../../core/workflow-role.ts";
import type { Queryable } from "../../db/queryable.ts";
import { clip, type RunnerContext } from "./runner-context.ts";
import type { Workflow } from "./workflow-store.ts";

/**
 * Authorizes `actions` as the workflow's role (every workflow acts as its role); undefined when all are
 * allowed, else the first refusal.
 */
export async function asRole(
  c: RunnerContext,
  q: Queryable,
  wf: Pick<Workflow, "workflowId" | "domainName" | "roleArn">,
  actions: readonly RoleAction[],
): Promise<RoleDenial | undefined> {
  return c.o.role.authorize(
    q,
    { roleArn: wf.roleArn, workflowId: wf.workflowId, domainName: wf.domainName },
    actions,
  );
}

/**
 * A refused action ends the workflow: the step that needed it (if any) and the workflow are FAILED
 * with AWS's AccessDenied sentence, which names the session, the action and the resource. The retry
 * extension re-runs the step once the role's policies allow it.
 */
export async function failDenied(
  c: RunnerContext,
  q: Queryable,
  workflowId: string,
  stepId: string | undefined,
  denial: RoleDenial,
): Promise<void> {
  if (stepId !== undefined) {
    await c.store.updateStep(q, stepId, {
      status: "FAILED",
      execution_id: null,
      execution_message: clip(denial.message),
    });
  }
  await c.store.update(q, workflowId, { status: "FAILED", error_description: clip(denial.message) });
  c.o.logger?.warn({ workflowId, action: denial.action, resource: denial.resource }, "workflow denied");
}
