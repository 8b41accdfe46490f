import type { ConnectorProfileConfig, ConnectorSpec } from "../connectors/sdk/index.ts";
import type { Queryable } from "../db/queryable.ts";
import type { FlowStatus, SourceConnectorType, StoredFlow } from "./flow-definition.ts";

/** Reads and updates flows in the lead's flow store; the engine never writes flow rows itself. */
export interface FlowCatalog {
  getFlow(flowName: string): Promise<StoredFlow | undefined>;
  /** Records a status change the engine decided (Suspended after too many consecutive failures). */
  setFlowStatus(q: Queryable, flowName: string, status: FlowStatus, message?: string): Promise<void>;
}

/** Opens connector profiles: decrypts the saved credentials (security implements it behind a core port). */
export interface ConnectorCredentialsResolver {
  /** The instance URL and credentials of a connector profile; throws RESOURCE_NOT_FOUND when it is gone. */
  resolve(connectorProfileName: string): Promise<ConnectorProfileConfig>;
  /** Persists a refresh token a vendor rotated during a read. */
  saveRefreshToken?(connectorProfileName: string, refreshToken: string): Promise<void>;
}

/** The connectors the engine can read, by AppFlow connector type. */
export type ConnectorCatalog = Partial<Record<SourceConnectorType, ConnectorSpec>>;
