import type { z } from "zod";
import type { FlowDefinition, ScheduledTriggerProperties } from "../../flows/flow-definition.ts";
import type { updateFlowInput } from "./flow-schema.ts";

type WireFlow = z.infer<typeof updateFlowInput> & { kmsArn?: string | undefined };
const msFields = ["scheduleStartTime", "scheduleEndTime", "firstExecutionFrom"] as const;

/** A validated CreateFlow/UpdateFlow input as a stored definition (epoch seconds → ms, no tokens or tags). */
export function toDefinition(input: WireFlow): FlowDefinition {
  const { triggerType, triggerProperties } = input.triggerConfig;
  const sched = triggerProperties?.Scheduled;
  return {
    flowName: input.flowName,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.kmsArn === undefined ? {} : { kmsArn: input.kmsArn }),
    triggerConfig: {
      triggerType,
      ...(sched ? { triggerProperties: { Scheduled: scaleTimes(sched, (s) => Math.round(s * 1000)) } } : {}),
    },
    sourceFlowConfig: input.sourceFlowConfig,
    destinationFlowConfigList: input.destinationFlowConfigList,
    tasks: input.tasks,
  };
}

/** A stored definition in the wire shape (ms → epoch seconds). */
export function toWire(def: FlowDefinition): Record<string, unknown> {
  const sched = def.triggerConfig.triggerProperties?.Scheduled;
  if (!sched) return { ...def };
  return {
    ...def,
    triggerConfig: {
      ...def.triggerConfig,
      triggerProperties: { Scheduled: scaleTimes(sched, (ms) => ms / 1000) },
    },
  };
}

/** The schedule with its time members converted by `to` (the others as they are). */
function scaleTimes(s: ScheduledTriggerProperties, to: (t: number) => number): ScheduledTriggerProperties {
  const out = { ...s };
  for (const f of msFields) {
    const t = s[f];
    if (t !== undefined) out[f] = to(t);
  }
  return out;
}
