import type { ExecutionRecord } from "../../flows/execution-record.ts";
import type { FlowDetails } from "../../services/flow-service.ts";
import { toWire } from "./flow-wire.ts";

const s = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** DescribeFlow's `lastRunExecutionDetails`. */
function lastRunDetails(e: ExecutionRecord | undefined) {
  return e
    ? {
        mostRecentExecutionMessage: e.executionResult.errorInfo.executionMessage,
        mostRecentExecutionTime: s(e.lastUpdatedAt),
        mostRecentExecutionStatus: e.executionStatus,
      }
    : undefined;
}

/** DescribeFlow's response. */
export function flowDescription(d: FlowDetails, principalArn: string) {
  const f = d.flow;
  return {
    ...toWire(f.definition),
    flowArn: f.flowArn,
    flowStatus: f.flowStatus,
    ...(f.flowStatusMessage ? { flowStatusMessage: f.flowStatusMessage } : {}),
    lastRunExecutionDetails: lastRunDetails(d.lastRun),
    createdAt: s(f.createdAt),
    lastUpdatedAt: s(f.lastUpdatedAt),
    createdBy: principalArn,
    lastUpdatedBy: principalArn,
    tags: d.tags,
    schemaVersion: 1,
  };
}

/** One FlowDefinition item of ListFlows. */
export function flowSummary(d: FlowDetails, principalArn: string) {
  const f = d.flow;
  return {
    flowArn: f.flowArn,
    ...(f.definition.description ? { description: f.definition.description } : {}),
    flowName: f.definition.flowName,
    flowStatus: f.flowStatus,
    sourceConnectorType: f.definition.sourceFlowConfig.connectorType,
    destinationConnectorType: "CustomerProfiles",
    triggerType: f.definition.triggerConfig.triggerType,
    createdAt: s(f.createdAt),
    lastUpdatedAt: s(f.lastUpdatedAt),
    createdBy: principalArn,
    lastUpdatedBy: principalArn,
    tags: d.tags,
    lastRunExecutionDetails: lastRunDetails(d.lastRun),
  };
}

/** An execution in the AppFlow ExecutionRecord wire shape (epoch seconds). */
export function executionRecord(e: ExecutionRecord) {
  const r = e.executionResult;
  return {
    executionId: e.executionId,
    executionStatus: e.executionStatus,
    executionResult: {
      errorInfo: {
        putFailuresCount: r.errorInfo.putFailuresCount,
        executionMessage: r.errorInfo.executionMessage,
      },
      bytesProcessed: r.bytesProcessed,
      bytesWritten: r.bytesWritten,
      recordsProcessed: r.recordsProcessed,
    },
    startedAt: s(e.startedAt),
    lastUpdatedAt: s(e.lastUpdatedAt),
    ...(e.dataPullStartTime !== undefined ? { dataPullStartTime: s(e.dataPullStartTime) } : {}),
    ...(e.dataPullEndTime !== undefined ? { dataPullEndTime: s(e.dataPullEndTime) } : {}),
  };
}
