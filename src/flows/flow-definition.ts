/**
 * The stored shape of an AppFlow flow (camelCase, as CreateFlow takes it), shared by the flow store,
 * the AppFlow API and the execution engine. Timestamps are epoch milliseconds inside the engine.
 */
export type { FlowStatus, SourceConnectorType } from "../db/schema/flows.ts";

import type { FlowStatus, SourceConnectorType } from "../db/schema/flows.ts";
export type TriggerType = "Scheduled" | "Event" | "OnDemand";
export type TaskType =
  | "Arithmetic"
  | "Filter"
  | "Map"
  | "Map_all"
  | "Mask"
  | "Merge"
  | "Passthrough"
  | "Truncate"
  | "Validate"
  | "Partition";

export interface ScheduledTriggerProperties {
  scheduleExpression: string;
  dataPullMode?: "Incremental" | "Complete";
  /** Epoch ms. */
  scheduleStartTime?: number;
  scheduleEndTime?: number;
  firstExecutionFrom?: number;
  timezone?: string;
  scheduleOffset?: number;
  flowErrorDeactivationThreshold?: number;
}

export interface TriggerConfig {
  triggerType: TriggerType;
  triggerProperties?: { Scheduled?: ScheduledTriggerProperties };
}

export interface SourceFlowConfig {
  connectorType: SourceConnectorType;
  connectorProfileName?: string;
  apiVersion?: string;
  /** Keyed by the properties key: Salesforce, ServiceNow (note the casing), Marketo, Zendesk. */
  sourceConnectorProperties: {
    Salesforce?: {
      object: string;
      includeDeletedRecords?: boolean;
      enableDynamicFieldUpdate?: boolean;
      dataTransferApi?: "AUTOMATIC" | "BULKV2" | "REST_SYNC";
    };
    ServiceNow?: { object: string };
    Marketo?: { object: string };
    Zendesk?: { object: string };
  };
  incrementalPullConfig?: { datetimeTypeFieldName?: string };
}

export interface DestinationFlowConfig {
  connectorType: "CustomerProfiles";
  destinationConnectorProperties: { CustomerProfiles: { domainName: string; objectTypeName?: string } };
}

export interface Task {
  taskType: TaskType;
  sourceFields: string[];
  connectorOperator?: Partial<Record<"Salesforce" | "ServiceNow" | "Marketo" | "Zendesk", string>>;
  destinationField?: string;
  taskProperties?: Record<string, string>;
}

export interface FlowDefinition {
  flowName: string;
  description?: string;
  kmsArn?: string;
  triggerConfig: TriggerConfig;
  sourceFlowConfig: SourceFlowConfig;
  destinationFlowConfigList: DestinationFlowConfig[];
  tasks: Task[];
}

/** A flow as stored: its definition plus identity and lifecycle. */
export interface StoredFlow {
  flowArn: string;
  definition: FlowDefinition;
  flowStatus: FlowStatus;
  flowStatusMessage?: string;
  /** Hidden flows (workflow steps) are listed only with include-hidden. */
  hidden: boolean;
  /** Set when this flow belongs to a workflow (a step, or the continuous integration after it). */
  workflowId?: string;
  createdAt: number;
  lastUpdatedAt: number;
}

/** The source object a flow reads. */
export function sourceObject(config: SourceFlowConfig): string {
  const p = config.sourceConnectorProperties;
  const object = p.Salesforce?.object ?? p.ServiceNow?.object ?? p.Marketo?.object ?? p.Zendesk?.object;
  if (!object) throw new Error(`flow source has no object for ${config.connectorType}`);
  return object;
}
