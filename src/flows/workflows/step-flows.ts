import type { Queryable } from "../../db/queryable.ts";
import type { FlowDefinition, StoredFlow } from "../flow-definition.ts";
import type { FlowStore } from "../flow-store.ts";
import type { IntegrationStore } from "../integration-store.ts";
import { tagOwnedByWorkflow } from "./owning-service-tag.ts";
import type { Workflow } from "./workflow-store.ts";

/** The hidden flow name of a workflow's step `seq` (unique across workflows, within FlowName's 256). */
export function stepFlowName(baseFlowName: string, workflowId: string, seq: number): string {
  return `${baseFlowName.slice(0, 200)}-wf${workflowId.slice(0, 12)}-${seq}`;
}

/** A step's flow: the workflow's definition, read on demand over one window (the engine bounds it). */
export function stepDefinition(base: FlowDefinition, flowName: string): FlowDefinition {
  const { triggerConfig: _trigger, ...rest } = base;
  return {
    ...rest,
    flowName,
    description: `Workflow step of ${base.flowName}`,
    triggerConfig: { triggerType: "OnDemand" },
  };
}

/**
 * The continuous integration's flow: the workflow's own definition, Scheduled and Incremental, its
 * first incremental read starting exactly at the end of the history (half-open windows: no gap, no overlap).
 */
export function continuousDefinition(base: FlowDefinition, historyEnd: number): FlowDefinition {
  const sched = base.triggerConfig.triggerProperties?.Scheduled;
  const { scheduleStartTime: _start, ...keep } = sched ?? { scheduleExpression: "rate(1hours)" };
  return {
    ...base,
    triggerConfig: {
      triggerType: "Scheduled",
      triggerProperties: {
        Scheduled: { ...keep, dataPullMode: "Incremental", firstExecutionFrom: historyEnd },
      },
    },
  };
}

/** Creates a step's hidden flow and its hidden integration (listed only with include-hidden). */
export async function createStepFlow(
  tx: Queryable,
  deps: { flows: FlowStore; integrations: IntegrationStore },
  wf: Pick<Workflow, "workflowId" | "domainName" | "objectTypeName" | "roleArn" | "flowDefinition">,
  flowName: string,
): Promise<StoredFlow> {
  const flow = await deps.flows.create(tx, stepDefinition(wf.flowDefinition, flowName), {
    status: "Active",
    hidden: true,
    workflowId: wf.workflowId,
  });
  await deps.integrations.put(tx, {
    domainName: wf.domainName,
    uri: flow.flowArn,
    objectTypeName: wf.objectTypeName,
    flowName,
    roleArn: wf.roleArn,
    workflowId: wf.workflowId,
    hidden: true,
  });
  await tagOwnedByWorkflow(tx, flow.flowArn);
  return flow;
}
