import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { apiMessage, useClients } from "../../aws.ts";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
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
  const description = `Integration ${flowName} of domain ${domain}. If an object fails to be sent, learn here what's gone wrong. If the connection stops working, delete the integration and then re-establish it.`;
  if (data.error && !d) {
    // The flow could not be read (deleted, never existed, no access): say so, and offer nothing that
    // acts on it or describes it.
    return (
      <SpaceBetween size="l">
        <Header variant="h1" description={description}>
          Flow details
        </Header>
        <Alert
          type="error"
          header={`Flow ${flowName} could not be loaded`}
          action={<Button onClick={data.reload}>Retry</Button>}
        >
          <SpaceBetween size="xs">
            <span>{apiMessage(data.error)}</span>
            <span>
              The integrations of domain {domain} are listed on{" "}
              <Link href={href(paths.configuration(), { domain })} onFollow={follow}>
                Customer profiles configuration
              </Link>
              .
            </span>
          </SpaceBetween>
        </Alert>
      </SpaceBetween>
    );
  }
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={description}
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
