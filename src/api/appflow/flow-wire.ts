import type { z } from "zod";
import type { FlowDefinition, ScheduledTriggerProperties } from "../../flows/flow-definition.ts";
import type { updateFlowInput } from "./flow-schema.ts";

type WireFlow = z.infer<typeof updateFlowInput> & { kmsArn?: string | undefined };
const msFields = ["scheduleStartTime", "scheduleEndTime", "firstExecutionFrom"] as const;

/** A validated CreateFlow/UpdateFlow input as a stored definition (epoch seconds → ms, no tokens or tags). */
export function toDefinition(input: WireFlow): FlowDefinition {
  const sched = input.triggerConfig.triggerProperties?.Scheduled;
  let scheduled: ScheduledTriggerProperties | undefined;
  if (sched) {
    scheduled = JSON.parse(JSON.stringify(sched)) as ScheduledTriggerProperties;
    for (const f of msFields) if (sched[f] !== undefined) scheduled[f] = Math.round(sched[f] * 1000);
  }
  const def = JSON.parse(
    JSON.stringify({
      flowName: input.flowName,
      description: input.description,
      kmsArn: input.kmsArn,
      triggerConfig: { triggerType: input.triggerConfig.triggerType },
      sourceFlowConfig: input.sourceFlowConfig,
      destinationFlowConfigList: input.destinationFlowConfigList,
      tasks: input.tasks,
    }),
  ) as FlowDefinition;
  if (scheduled) def.triggerConfig.triggerProperties = { Scheduled: scheduled };
  return def;
}

/** A stored definition in the wire shape (ms → epoch seconds). */
export function toWire(def: FlowDefinition): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(def)) as FlowDefinition;
  const sched = out.triggerConfig.triggerProperties?.Scheduled;
  if (sched) for (const f of msFields) if (sched[f] !== undefined) sched[f] = sched[f] / 1000;
  return out as unknown as Record<string, unknown>;
}
