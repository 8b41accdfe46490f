import { findConnector } from "../connectors/registry.ts";
import type { ConnectorSpec } from "../connectors/sdk/index.ts";
import type { SourceConnectorType } from "../flows/flow-definition.ts";
import type { ConnectorCatalog } from "../flows/flow-ports.ts";

const ids: Record<SourceConnectorType, string> = {
  Salesforce: "salesforce",
  Servicenow: "servicenow",
  Marketo: "marketo",
  Zendesk: "zendesk",
};

/** The connector spec for an AppFlow connector type, if that connector is built. */
export function connectorFor(type: string): ConnectorSpec | undefined {
  const id = ids[type as SourceConnectorType];
  return id ? findConnector(id) : undefined;
}

/** Every built connector, keyed by AppFlow connector type, for the flows engine. */
export function connectorCatalog(): ConnectorCatalog {
  const out: ConnectorCatalog = {};
  for (const type of Object.keys(ids) as SourceConnectorType[]) {
    const spec = connectorFor(type);
    if (spec) out[type] = spec;
  }
  return out;
}
