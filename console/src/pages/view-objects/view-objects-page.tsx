import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useClients } from "../../aws.ts";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { useSession } from "../../session.ts";
import { useApi } from "../../use-api.ts";
import type { PageProps } from "../page-props.ts";
import { LatestObjectsTable } from "./latest-objects-table.tsx";
import { ObjectCountsTable } from "./object-counts-table.tsx";
import { loadObjects } from "./objects-data.ts";

/** View objects of one integration: /console/domains/:domain/integrations/:flow/objects. */
export function ViewObjectsPage({ params }: PageProps) {
  const domain = params["domain"] ?? "";
  const flowName = params["flow"] ?? "";
  const clients = useClients();
  const session = useSession();
  const data = useApi(`Load objects of ${flowName}`, () => {
    if (!session) throw new Error("Not signed in");
    return loadObjects(clients, session, domain, flowName);
  }, [clients, session, domain, flowName]);
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={`See what data integration ${flowName} is batching and sending to domain ${domain}, and the profiles its objects joined.`}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh objects" onClick={data.reload} />
            <Button href={href(paths.flowDetails(domain, flowName))} onFollow={follow}>
              Flow details
            </Button>
          </SpaceBetween>
        }
      >
        View objects
      </Header>
      <ObjectCountsTable types={data.data?.types ?? []} loading={data.loading} />
      <LatestObjectsTable
        domain={domain}
        objects={data.data?.objects ?? []}
        more={data.data?.more ?? false}
        loading={data.loading}
      />
    </SpaceBetween>
  );
}
