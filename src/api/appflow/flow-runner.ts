import type { StoredFlow } from "../../flows/flow-definition.ts";

/** One execution as DescribeFlowExecutionRecords reports it (epoch ms inside; seconds on the wire). */
export interface ExecutionView {
  executionId: string;
  executionStatus: "InProgress" | "Successful" | "Error" | "CancelStarted" | "Canceled";
  recordsProcessed: number;
  bytesProcessed: number;
  bytesWritten: number;
  putFailuresCount: number;
  executionMessage?: string | undefined;
  startedAt: number;
  lastUpdatedAt: number;
  dataPullStartTime?: number | undefined;
  dataPullEndTime?: number | undefined;
}

/** What the AppFlow API needs from the execution engine (src/flows), wired by the composition root. */
export interface FlowRunner {
  /** A scheduled flow starts running on its schedule. */
  activate(flow: StoredFlow): Promise<void>;
  /** A scheduled flow stops being scheduled (running executions finish). */
  deactivate(flow: StoredFlow): Promise<void>;
  /** Runs an on-demand flow now; returns the execution id. */
  startOnDemand(flow: StoredFlow): Promise<string>;
  /** Cancels executions (all active ones when `ids` is empty); returns the ids that could not be. */
  cancel(flow: StoredFlow, ids: string[]): Promise<string[]>;
  /** Newest first, paged by an opaque cursor. */
  executions(
    flowName: string,
    o: { limit: number; after?: string | undefined },
  ): Promise<{ items: ExecutionView[]; next?: string | undefined }>;
  /** True while an execution of the flow is in progress. */
  isRunning(flowName: string): Promise<boolean>;
  /** Forgets a deleted flow's schedule. */
  forget(flowName: string): Promise<void>;
}
