import type { StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";

/** The indicator an AppFlow flow's status (flowStatus) shows with. */
export const FLOW_STATUS: Record<string, StatusIndicatorProps.Type> = {
  Active: "success",
  Draft: "pending",
  Suspended: "stopped",
  Errored: "error",
  Deleted: "stopped",
  Deprecated: "warning",
};

/** The indicator a flow run's status (executionStatus) shows with. */
export const RUN_STATUS: Record<string, StatusIndicatorProps.Type> = {
  Successful: "success",
  Error: "error",
  InProgress: "in-progress",
  Canceled: "stopped",
  CancelStarted: "stopped",
};
