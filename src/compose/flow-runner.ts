import type { ExecutionView, FlowRunner } from "../api/appflow/flow-runner.ts";
import type { FlowEngine } from "../flows/flow-engine.ts";

/** The AppFlow API's view of the flows engine. */
export function engineRunner(engine: FlowEngine): FlowRunner {
  return {
    activate: (flow) => engine.activate(flow),
    deactivate: (flow) => engine.deactivate(flow.definition.flowName),
    startOnDemand: (flow) => engine.startOnDemand(flow),
    cancel: async (flow, ids) => (await engine.cancel(flow.definition.flowName, ids)).invalidExecutions,
    executions: async (flowName, o) => {
      const { flowExecutions, nextToken } = await engine.executions.list(flowName, {
        maxResults: o.limit,
        ...(o.after ? { nextToken: o.after } : {}),
      });
      const items = flowExecutions.map(
        (r): ExecutionView => ({
          executionId: r.executionId,
          executionStatus: r.executionStatus,
          recordsProcessed: r.executionResult.recordsProcessed,
          bytesProcessed: r.executionResult.bytesProcessed,
          bytesWritten: r.executionResult.bytesWritten,
          putFailuresCount: r.executionResult.errorInfo.putFailuresCount,
          executionMessage: r.executionResult.errorInfo.executionMessage,
          startedAt: r.startedAt,
          lastUpdatedAt: r.lastUpdatedAt,
          dataPullStartTime: r.dataPullStartTime,
          dataPullEndTime: r.dataPullEndTime,
        }),
      );
      return { items, next: nextToken };
    },
    isRunning: async (flowName) => (await engine.executions.activeExecution(flowName)) !== undefined,
    forget: (flowName) => engine.forgetFlow(flowName),
  };
}
