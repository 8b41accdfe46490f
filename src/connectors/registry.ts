import { marketo } from "./marketo/index.ts";
import { salesforce } from "./salesforce/index.ts";
import type { ConnectorSpec } from "./sdk/index.ts";
import { servicenow } from "./servicenow/index.ts";
import { zendesk } from "./zendesk/index.ts";

/** Every connector by id; the flows engine and the API look connectors up here. */
export const connectorRegistry: Readonly<Record<string, ConnectorSpec>> = Object.freeze({
  salesforce: salesforce as ConnectorSpec,
  marketo: marketo as ConnectorSpec,
  servicenow: servicenow as ConnectorSpec,
  zendesk: zendesk as ConnectorSpec,
});

/** The spec of a connector id, or undefined. */
export function findConnector(id: string): ConnectorSpec | undefined {
  return Object.hasOwn(connectorRegistry, id) ? connectorRegistry[id] : undefined;
}
