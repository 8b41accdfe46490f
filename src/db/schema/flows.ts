/** Tables of connections, secrets, flows and idempotency tokens (AppFlow + Secrets Manager). */
import type { Json } from "../json-column.ts";

/** The source connectors this server has (a connector profile's and a workflow's `connector_type`). */
export type SourceConnectorType = "Salesforce" | "Servicenow" | "Marketo" | "Zendesk";
export type FlowStatus = "Active" | "Deprecated" | "Deleted" | "Draft" | "Errored" | "Suspended";
/** The last connection test of a connector profile. */
export type ConnectionStatus = "Connected" | "Failed" | "Untested";

export interface ConnectorProfilesTable {
  name: string;
  arn: string;
  connector_type: SourceConnectorType;
  connector_label: string | null;
  connection_mode: string;
  /** JSON of connectorProfileProperties (no secrets). */
  properties: Json<"connector_profiles.properties">;
  /** connectorProfileCredentials, sealed with the master key. */
  credentials_sealed: string | null;
  kms_arn: string | null;
  connection_status: ConnectionStatus;
  connection_message: string | null;
  created_at: number;
  updated_at: number;
}

export interface SecretsTable {
  name: string;
  arn: string;
  description: string | null;
  kms_key_id: string | null;
  secret_sealed: string;
  version_id: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface FlowsTable {
  name: string;
  arn: string;
  /** JSON of the FlowDefinition (src/flows/flow-definition.ts). */
  definition: Json<"flows.definition">;
  status: FlowStatus;
  status_message: string | null;
  /** 0/1: workflow steps are hidden and listed only with include-hidden. */
  hidden: number;
  workflow_id: string | null;
  /** The Customer Profiles domain the flow writes into (its definition's destination). */
  destination_domain: string | null;
  /** The connector profile the flow reads from (its definition's source); null when it names none. */
  source_connector_profile: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyTokensTable {
  /** operation + ":" + clientToken */
  token_key: string;
  /** HMAC-SHA256 (key derived from the master key) of token_key + the request; never a plain hash. */
  request_mac: string;
  /** JSON of the operation's first response (codec in src/api/idempotency.ts). */
  response: Json<"idempotency_tokens.response">;
  created_at: number;
}

export interface IntegrationsTable {
  domain_name: string;
  /** The flow ARN for AppFlow integrations. */
  uri: string;
  object_type_name: string;
  flow_name: string | null;
  role_arn: string | null;
  workflow_id: string | null;
  /** 0/1: hidden integrations (workflow steps) are listed only with include-hidden. */
  hidden: number;
  created_at: number;
  updated_at: number;
}

export interface FlowTables {
  integrations: IntegrationsTable;
  connector_profiles: ConnectorProfilesTable;
  secrets: SecretsTable;
  flows: FlowsTable;
  idempotency_tokens: IdempotencyTokensTable;
}
