import type { ConnectorSpec } from "../connectors/sdk/index.ts";
import type { ExecutionRow } from "./execution-record.ts";
import type { StoredFlow } from "./flow-definition.ts";
import type { RunnerDeps } from "./runner-deps.ts";

/** What a run reads and writes, resolved from its flow before anything is opened. */
export interface RunPlan {
  readonly flow: StoredFlow;
  readonly spec: ConnectorSpec;
  readonly profileName: string;
  readonly destination: { readonly domainName: string; readonly objectTypeName: string };
}

/** The flow, connector, profile and destination of a run, or why it cannot run. */
export async function planRun(deps: RunnerDeps, row: ExecutionRow): Promise<RunPlan | string> {
  const flow = await deps.flows.getFlow(row.flow_name);
  if (!flow) return `Flow ${row.flow_name} does not exist any more.`;
  const source = flow.definition.sourceFlowConfig;
  const spec = deps.connectors[source.connectorType];
  if (!spec) return `No connector is installed for connector type ${source.connectorType}.`;
  const profileName = source.connectorProfileName;
  if (!profileName) return "The flow's source names no connectorProfileName.";
  const dest = flow.definition.destinationFlowConfigList[0]?.destinationConnectorProperties.CustomerProfiles;
  if (!dest) return "The flow has no CustomerProfiles destination.";
  return {
    flow,
    spec,
    profileName,
    destination: { domainName: dest.domainName, objectTypeName: dest.objectTypeName ?? "" },
  };
}
