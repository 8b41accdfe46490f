/** Tables of the flows layer: execution records with lease + checkpoint, per-flow sync state, and the embedded job queue. */
import type { Json } from "../json-column.ts";

export type ExecutionStatus = "InProgress" | "Successful" | "Error" | "CancelStarted" | "Canceled";
/** What started an execution: a call, the flow's schedule, or a workflow step's bounded window. */
export type ExecutionTrigger = "OnDemand" | "Scheduled" | "Window";
export type ExecutionPullMode = "Incremental" | "Complete" | "Window";

/** One execution of a flow (AppFlow ExecutionRecord) plus what lets it resume on another runner. */
export interface FlowExecutionsTable {
  execution_id: string;
  flow_name: string;
  flow_arn: string;
  status: ExecutionStatus;
  /** The flow name while the execution is active, else null; a unique index keeps one active per flow. */
  active_flow: string | null;
  trigger_kind: ExecutionTrigger;
  pull_mode: ExecutionPullMode;
  /** The requested window `[from, to)` (epoch ms); the connector's checkpoint may narrow `to`. */
  window_from: number | null;
  window_to: number | null;
  /** JSON of the incremental `since` checkpoint this execution started from (null: a time). */
  since_checkpoint: Json<"flow_executions.since_checkpoint"> | null;
  /** JSON FlatCheckpoint of the last committed page; null before the first page. */
  checkpoint: Json<"flow_executions.checkpoint"> | null;
  /** 0 or 1: the connector said `done` and the last page committed. */
  read_done: number;
  /** When the last checkpoint committed (null: none yet); a part stored later may be read again. */
  checkpoint_at: number | null;
  started_at: number;
  last_updated_at: number;
  finished_at: number | null;
  records_processed: number;
  bytes_processed: number;
  bytes_written: number;
  put_failures_count: number;
  records_dropped: number;
  deletions_processed: number;
  execution_message: string;
  /** Transient failures so far (quota pauses do not count). */
  attempt: number;
  lease_owner: string | null;
  lease_expires_at: number;
}

/** What the next incremental execution of a flow starts from, and its failure streak. */
export interface FlowSyncStateTable {
  flow_name: string;
  /** JSON FlatCheckpoint of the last successful incremental execution's final page. */
  last_checkpoint: Json<"flow_sync_state.last_checkpoint"> | null;
  /** The end of the last successful window (epoch ms). */
  last_window_end: number | null;
  consecutive_failures: number;
  updated_at: number;
}

/** A job of the embedded executor (the PostgreSQL adapter keeps its jobs in the queue library). */
export interface ExecutorJobsTable {
  job_id: string;
  task: string;
  /** JSON object. */
  payload: Json<"executor_jobs.payload">;
  job_key: string | null;
  queue_name: string | null;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  backoff_base_ms: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  /** Set when the job used up its attempts; it stays for inspection and never runs again. */
  failed_at: number | null;
  created_at: number;
}

/** A recurring schedule: every `every_ms` from `start_at`, enqueue `task` (one pending run at a time). */
export interface ExecutorSchedulesTable {
  schedule_key: string;
  task: string;
  payload: Json<"executor_schedules.payload">;
  queue_name: string | null;
  every_ms: number;
  start_at: number;
  end_at: number | null;
  next_run_at: number;
  updated_at: number;
}

export interface ExecutionTables {
  flow_executions: FlowExecutionsTable;
  flow_sync_state: FlowSyncStateTable;
  executor_jobs: ExecutorJobsTable;
  executor_schedules: ExecutorSchedulesTable;
}
