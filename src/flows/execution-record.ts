import type { FlowExecutionsTable } from "../db/schema/executions.ts";

export type { ExecutionStatus } from "../db/schema/executions.ts";

import type { ExecutionStatus } from "../db/schema/executions.ts";

/** Statuses of an execution that still holds its flow's one active slot. */
export const activeStatuses: readonly ExecutionStatus[] = ["InProgress", "CancelStarted"];

/** AppFlow's ExecutionRecord (camelCase, as DescribeFlowExecutionRecords returns it); times in epoch ms. */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly executionStatus: ExecutionStatus;
  readonly executionResult: {
    readonly errorInfo: { readonly putFailuresCount: number; readonly executionMessage: string };
    readonly bytesProcessed: number;
    readonly bytesWritten: number;
    readonly recordsProcessed: number;
    readonly numParallelProcesses: number;
    readonly maxPageSize?: number;
  };
  readonly startedAt: number;
  readonly lastUpdatedAt: number;
  /** The window read: `[dataPullStartTime, dataPullEndTime)`. */
  readonly dataPullStartTime?: number;
  readonly dataPullEndTime?: number;
}

/** An execution row as stored. */
export type ExecutionRow = FlowExecutionsTable;

/** The wire record of a stored execution. */
export function toExecutionRecord(row: ExecutionRow): ExecutionRecord {
  return {
    executionId: row.execution_id,
    executionStatus: row.status,
    executionResult: {
      errorInfo: { putFailuresCount: row.put_failures_count, executionMessage: row.execution_message },
      bytesProcessed: row.bytes_processed,
      bytesWritten: row.bytes_written,
      recordsProcessed: row.records_processed,
      numParallelProcesses: 1,
    },
    startedAt: row.started_at,
    lastUpdatedAt: row.last_updated_at,
    ...(row.window_from !== null ? { dataPullStartTime: row.window_from } : {}),
    ...(row.window_to !== null ? { dataPullEndTime: row.window_to } : {}),
  };
}
