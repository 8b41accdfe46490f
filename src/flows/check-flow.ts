import { isProfileflowError, ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ConnectorProfileStore } from "./connector-profile-store.ts";
import type { FlowDefinition, ScheduledTriggerProperties } from "./flow-definition.ts";
import { parseScheduleExpression } from "./schedule-expression.ts";
import { validateTasks } from "./validate-tasks.ts";

/** What checking a flow's references needs. */
export interface FlowReferences {
  readonly connectorProfiles: ConnectorProfileStore;
  /** Whether a Customer Profiles domain exists (the flow's destination). */
  domainExists(q: Queryable, name: string): Promise<boolean>;
  /** The domain's KMS key ARN (its DefaultEncryptionKey): a flow's KmsArn must be it. */
  domainKey?(q: Queryable, name: string): Promise<string>;
}

function refused(member: string, message: string): ProfileflowError {
  return new ProfileflowError("VALIDATION_FAILED", message, { member });
}

/** Checks everything about a flow that its wire schema cannot: references, schedule, tasks. */
export async function checkFlow(q: Queryable, def: FlowDefinition, refs: FlowReferences): Promise<void> {
  const src = def.sourceFlowConfig;
  const key = src.connectorType === "Servicenow" ? "ServiceNow" : src.connectorType;
  if (!src.sourceConnectorProperties[key]) {
    throw refused(
      "sourceFlowConfig.sourceConnectorProperties",
      `sourceConnectorProperties must hold ${key} for a ${src.connectorType} source.`,
    );
  }
  if (!src.connectorProfileName) {
    throw refused(
      "sourceFlowConfig.connectorProfileName",
      "sourceFlowConfig.connectorProfileName is required for this connector.",
    );
  }
  const profile = await refs.connectorProfiles.require(q, src.connectorProfileName);
  if (profile.connectorType !== src.connectorType) {
    throw refused(
      "sourceFlowConfig.connectorProfileName",
      `Connector profile ${profile.name} is a ${profile.connectorType} profile, not ${src.connectorType}.`,
    );
  }
  const domain = def.destinationFlowConfigList[0]!.destinationConnectorProperties.CustomerProfiles.domainName;
  if (!(await refs.domainExists(q, domain))) {
    throw new ProfileflowError("RESOURCE_NOT_FOUND", `Customer Profiles domain ${domain} does not exist.`);
  }
  if (def.kmsArn !== undefined && refs.domainKey) {
    const key = await refs.domainKey(q, domain);
    if (def.kmsArn !== key) {
      throw refused(
        "kmsArn",
        `KmsArn '${def.kmsArn}' is not the KMS key of Customer Profiles domain ${domain}: a flow's KmsArn must be its destination domain's DefaultEncryptionKey (${key}), or be left out.`,
      );
    }
  }
  checkTrigger(def);
  validateTasks(src.connectorType, def.tasks);
}

function checkTrigger(def: FlowDefinition): void {
  const trig = def.triggerConfig;
  if (trig.triggerType === "Event") {
    throw new ProfileflowError(
      "UNSUPPORTED_OPERATION",
      "Event-triggered flows are not supported for these sources.",
    );
  }
  if (trig.triggerType !== "Scheduled") return;
  const sched = trig.triggerProperties?.Scheduled;
  if (!sched) {
    throw refused("triggerConfig.triggerProperties", "A Scheduled flow needs triggerProperties.Scheduled.");
  }
  checkSchedule(sched);
  if (
    sched.dataPullMode !== "Complete" &&
    !def.sourceFlowConfig.incrementalPullConfig?.datetimeTypeFieldName
  ) {
    throw refused(
      "sourceFlowConfig.incrementalPullConfig",
      "An Incremental scheduled flow needs sourceFlowConfig.incrementalPullConfig.datetimeTypeFieldName.",
    );
  }
}

/** The schedule rule is parseScheduleExpression's alone; its refusal names the wire member. */
function checkSchedule(sched: ScheduledTriggerProperties): void {
  try {
    parseScheduleExpression(sched.scheduleExpression);
  } catch (e) {
    if (!isProfileflowError(e, "VALIDATION_FAILED")) throw e;
    throw refused("triggerConfig.triggerProperties.Scheduled.scheduleExpression", e.message);
  }
}
