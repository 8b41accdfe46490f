import { z } from "zod";
import type { FlatCheckpoint } from "../connectors/sdk/index.ts";
import { jsonColumn } from "../db/json-column.ts";

/** A connector checkpoint: flat primitives only (the connector SDK's FlatCheckpoint). */
export const flatCheckpointSchema: z.ZodType<FlatCheckpoint> = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]),
);

/** `flow_executions.since_checkpoint`: the incremental checkpoint an execution started from. */
export const sinceCheckpointColumn = jsonColumn("flow_executions", "since_checkpoint", flatCheckpointSchema);
/** `flow_executions.checkpoint`: the checkpoint of the execution's last committed page. */
export const executionCheckpointColumn = jsonColumn("flow_executions", "checkpoint", flatCheckpointSchema);
/** `flow_sync_state.last_checkpoint`: where the next incremental execution starts. */
export const lastCheckpointColumn = jsonColumn("flow_sync_state", "last_checkpoint", flatCheckpointSchema);
