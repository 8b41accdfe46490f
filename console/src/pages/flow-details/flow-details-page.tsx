import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useClients } from "../../aws.ts";
import { useSession } from "../../session.ts";
import { useApi } from "../../use-api.ts";
import type { PageProps } from "../page-props.ts";
import { DeadLettersTable } from "./dead-letters-table.tsx";
import { ExecutionsTable } from "./executions-table.tsx";
import { FlowActions } from "./flow-actions.tsx";
import { loadFlow } from "./flow-data.ts";
import { FlowSummary, LastRunAlert } from "./flow-summary.tsx";

/** Flow details of one integration: /console/domains/:domain/integrations/:flow/details. */
export function FlowDetailsPage({ params }: PageProps) {
  const domain = params["domain"] ?? "";
  const flowName = params["flow"] ?? "";
  const clients = useClients();
  const session = useSession();
  const data = useApi(`Load flow ${flowName}`, () => {
    if (!session) throw new Error("Not signed in");
    return loadFlow(clients, session, domain, flowName);
  }, [clients, session, domain, flowName]);
  const d = data.data;
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={`Integration ${flowName} of domain ${domain}. If an object fails to be sent, learn here what's gone wrong. If the connection stops working, delete the integration and then re-establish it.`}
        actions={
          <FlowActions
            domain={domain}
            flowName={flowName}
            flow={d?.flow}
            sourceObject={d?.sourceObject}
            objectTypeName={d?.objectTypeName}
            onChanged={data.reload}
          />
        }
      >
        Flow details
      </Header>
      {d ? (
        <>
          <LastRunAlert flow={d.flow} />
          <FlowSummary flow={d.flow} sourceObject={d.sourceObject} objectTypeName={d.objectTypeName} />
        </>
      ) : null}
      <ExecutionsTable
        executions={d?.executions ?? []}
        connection={d?.flow.sourceFlowConfig?.connectorProfileName}
        loading={data.loading}
      />
      <DeadLettersTable
        deadLetters={d?.deadLetters ?? []}
        objectTypeName={d?.objectTypeName}
        loading={data.loading}
      />
    </SpaceBetween>
  );
}
