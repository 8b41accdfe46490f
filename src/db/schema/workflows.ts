/** Tables of integration workflows (historical backfill); times are epoch ms. */
import type { Json } from "../json-column.ts";
import type { SourceConnectorType } from "./flows.ts";

export type WorkflowStatus = "NOT_STARTED" | "IN_PROGRESS" | "COMPLETE" | "FAILED" | "CANCELLED";
export type StepStatus =
  | "NOT_STARTED"
  | "IN_PROGRESS"
  | "RETRY"
  | "SPLIT"
  | "COMPLETE"
  | "FAILED"
  | "CANCELLED";

/** One workflow: the FlowDefinition it backfills and hands off to a continuous integration. */
export interface WorkflowsTable {
  /** 32 lower-case hex characters. */
  workflow_id: string;
  domain_name: string;
  workflow_type: "APPFLOW_INTEGRATION";
  status: WorkflowStatus;
  error_description: string | null;
  object_type_name: string;
  role_arn: string;
  /** 1: the workflow's actions are authorized against the role's policies; 0: the root's legacy mode. */
  acts_as_role: number;
  /** The flow definition's source connector type. */
  connector_type: SourceConnectorType;
  connector_profile_name: string;
  /** JSON of the engine FlowDefinition the continuous integration is created from. */
  flow_definition: Json<"workflows.flow_definition">;
  /** JSON of the request's Tags, or null. */
  tags: Json<"workflows.tags"> | null;
  /** The continuous integration's Uri once the hand-off happened. */
  integration_uri: string | null;
  /** The end of the last batch: where the continuous integration starts. */
  history_end: number;
  created_at: number;
  last_updated_at: number;
}

/** One step: a bounded read of `[window_from, window_to)` through its own hidden flow. */
export interface WorkflowStepsTable {
  step_id: string;
  workflow_id: string;
  /** Order within the workflow (children of a split sort right after their parent). */
  seq: number;
  /** The step this one was split from. */
  parent_step_id: string | null;
  flow_name: string;
  window_from: number;
  window_to: number;
  status: StepStatus;
  /** Executions started for this step. */
  attempts: number;
  /** The step's latest execution. */
  execution_id: string | null;
  execution_message: string;
  /** Not before this time (a retry's backoff, or the source's safety lag). */
  next_run_at: number;
  created_at: number;
  last_updated_at: number;
}

/** The distinct records a step ingested. */
export interface WorkflowStepRecordsTable {
  flow_name: string;
  record_id: string;
  workflow_id: string;
}

/** Each distinct record of a workflow once, whichever steps handed it over. */
export interface WorkflowRecordsTable {
  workflow_id: string;
  record_id: string;
}

/** One page's tally: how many of its records were new to its flow, and new to the workflow. */
export interface WorkflowRecordTalliesTable {
  workflow_id: string;
  flow_name: string;
  new_to_flow: number;
  new_to_workflow: number;
}

export interface WorkflowTables {
  workflows: WorkflowsTable;
  workflow_steps: WorkflowStepsTable;
  workflow_step_records: WorkflowStepRecordsTable;
  workflow_records: WorkflowRecordsTable;
  workflow_record_tallies: WorkflowRecordTalliesTable;
}
