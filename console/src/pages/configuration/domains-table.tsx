import { type ListDomainItem, ListDomainsCommand } from "@aws-sdk/client-customer-profiles";
import { useCollection } from "@cloudscape-design/collection-hooks";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { type Clients, useClients } from "../../aws.ts";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import { useApi } from "../../use-api.ts";
import { CreateDomainModal } from "./create-domain-modal.tsx";

async function listAllDomains(c: Clients): Promise<ListDomainItem[]> {
  const out: ListDomainItem[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListDomainsCommand({ MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    );
    out.push(...(page.Items ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The account's domains; choosing one shows its integrations below. */
export function DomainsTable({
  selected,
  onSelect,
}: {
  selected: string | undefined;
  onSelect: (name: string | undefined) => void;
}) {
  const clients = useClients();
  const domains = useApi("List domains", () => listAllDomains(clients), [clients]);
  const [creating, setCreating] = useState(false);
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    domains.data ?? [],
    {
      filtering: {
        empty: (
          <EmptyState
            title="No domains"
            subtitle="A domain holds the unified profiles and the integrations that fill them."
            action={<Button onClick={() => setCreating(true)}>Create domain</Button>}
          />
        ),
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
      },
      pagination: { pageSize: 10 },
      sorting: { defaultState: { sortingColumn: { sortingField: "DomainName" } } },
    },
  );
  const selectedItems = (domains.data ?? []).filter((d) => d.DomainName === selected);
  return (
    <>
      <Table
        {...collectionProps}
        items={items}
        loading={domains.loading}
        loadingText="Loading domains"
        trackBy="DomainName"
        selectionType="single"
        selectedItems={selectedItems}
        onSelectionChange={(e) => onSelect(e.detail.selectedItems[0]?.DomainName)}
        ariaLabels={{
          selectionGroupLabel: "Domains",
          itemSelectionLabel: (_s, item) => `Domain ${item.DomainName}`,
          allItemsSelectionLabel: () => "All domains",
        }}
        header={
          <Header
            variant="h1"
            counter={domains.data ? `(${domains.data.length})` : undefined}
            description="Choose a domain to see its integrations."
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh domains" onClick={domains.reload} />
                <Button variant="primary" onClick={() => setCreating(true)}>
                  Create domain
                </Button>
              </SpaceBetween>
            }
          >
            Customer profiles configuration
          </Header>
        }
        columnDefinitions={[
          {
            id: "name",
            header: "Domain name",
            cell: (d) => d.DomainName,
            sortingField: "DomainName",
            isRowHeader: true,
          },
          {
            id: "created",
            header: "Created",
            cell: (d) => formatDate(d.CreatedAt),
            sortingField: "CreatedAt",
          },
          {
            id: "updated",
            header: "Last updated",
            cell: (d) => formatDate(d.LastUpdatedAt),
            sortingField: "LastUpdatedAt",
          },
        ]}
        filter={<TableFilter filterProps={filterProps} noun="domains" matches={filteredItemsCount} />}
        pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
        variant="full-page"
        stickyHeader={false}
      />
      <CreateDomainModal
        visible={creating}
        onDismiss={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          domains.reload();
          onSelect(name);
        }}
      />
    </>
  );
}
