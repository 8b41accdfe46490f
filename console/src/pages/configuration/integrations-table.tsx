import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useClients } from "../../aws.ts";
import { FLOW_STATUS, RUN_STATUS } from "../../components/flow-status.ts";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { useApi } from "../../use-api.ts";
import { formatCount } from "./flow-executions.ts";
import { type IntegrationRow, integrationRows } from "./integration-rows.ts";

/** The selected domain's integrations: source, objects, object type, status, last run, records, errors. */
export function IntegrationsTable({ domain }: { domain: string }) {
  const clients = useClients();
  const rows = useApi("List integrations", () => integrationRows(clients, domain), [clients, domain]);
  const addHref = href(paths.addIntegration(domain));
  const add = (
    <Button variant="primary" href={addHref} onFollow={follow}>
      Add integration
    </Button>
  );
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    rows.data ?? [],
    {
      filtering: {
        empty: (
          <EmptyState
            title="No integrations"
            subtitle={`Domain ${domain} has no integrations yet.`}
            action={
              <Button href={addHref} onFollow={follow}>
                Add integration
              </Button>
            }
          />
        ),
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["flowName", "source", "objects", "objectType", "status", "lastRunStatus"],
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  return (
    <Table<IntegrationRow>
      {...collectionProps}
      items={items}
      loading={rows.loading}
      loadingText="Loading integrations"
      trackBy="uri"
      header={
        <Header
          variant="h2"
          counter={rows.data ? `(${rows.data.length})` : undefined}
          description={`Sources that feed the profiles of domain ${domain}.`}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button iconName="refresh" ariaLabel="Refresh integrations" onClick={rows.reload} />
              {add}
            </SpaceBetween>
          }
        >
          Integrations
        </Header>
      }
      columnDefinitions={[
        {
          id: "name",
          minWidth: 160,
          header: "Integration",
          isRowHeader: true,
          sortingField: "flowName",
          cell: (r) =>
            r.flowName ? (
              <SpaceBetween size="xxxs">
                <Box fontWeight="bold">{r.flowName}</Box>
                <SpaceBetween direction="horizontal" size="xs">
                  <Link
                    href={href(paths.viewObjects(domain, r.flowName))}
                    onFollow={follow}
                    variant="secondary"
                  >
                    View objects
                  </Link>
                  <Link
                    href={href(paths.flowDetails(domain, r.flowName))}
                    onFollow={follow}
                    variant="secondary"
                  >
                    Flow details
                  </Link>
                </SpaceBetween>
              </SpaceBetween>
            ) : (
              r.uri
            ),
        },
        { id: "source", header: "Source", cell: (r) => r.source },
        { id: "objects", header: "Objects", cell: (r) => r.objects },
        {
          id: "objectType",
          header: "Object type",
          cell: (r) => r.objectType,
        },
        {
          id: "status",
          header: "Status",
          cell: (r) =>
            r.problem ? (
              <StatusIndicator type="error">{r.problem}</StatusIndicator>
            ) : (
              <StatusIndicator type={FLOW_STATUS[r.status] ?? "info"} wrapText={false}>
                {r.status}
              </StatusIndicator>
            ),
        },
        {
          id: "lastRun",
          minWidth: 150,
          header: "Last run",
          sortingField: "lastRun",
          cell: (r) =>
            r.lastRun ? (
              <>
                <StatusIndicator type={RUN_STATUS[r.lastRunStatus ?? ""] ?? "info"} wrapText={false}>
                  {r.lastRunStatus ?? "Unknown"}
                </StatusIndicator>
                <Box variant="small" color="text-body-secondary" display="block">
                  <span style={{ whiteSpace: "nowrap" }}>{formatDate(r.lastRun)}</span>
                </Box>
              </>
            ) : (
              "Not run yet"
            ),
        },
        {
          id: "records",

          header: "Records",
          cell: (r) => formatCount(r.records, r.countsCapped),
          sortingField: "records",
        },
        {
          id: "errors",
          header: "Errors",
          cell: (r) => formatCount(r.errors, r.countsCapped),
        },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="integrations" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
