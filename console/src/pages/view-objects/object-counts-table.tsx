import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import type { ObjectTypeCounts } from "./objects-data.ts";

const n = (v: number) => v.toLocaleString("en-US");

/** Per object type: what the runs batched and sent, what failed, the newest object. */
export function ObjectCountsTable({ types, loading }: { types: ObjectTypeCounts[]; loading: boolean }) {
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    types,
    {
      filtering: {
        empty: <EmptyState title="No object types" subtitle="The integration maps no object type." />,
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["objectTypeName", "sourceObject"],
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  return (
    <Table<ObjectTypeCounts>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText="Loading counts"
      trackBy="objectTypeName"
      header={
        <Header
          variant="h2"
          description="What the integration's runs read from the source and sent to the domain."
        >
          Object types
        </Header>
      }
      columnDefinitions={[
        {
          id: "type",
          header: "Object type",
          isRowHeader: true,
          sortingField: "objectTypeName",
          cell: (r) => r.objectTypeName,
        },
        { id: "source", header: "Source object", sortingField: "sourceObject", cell: (r) => r.sourceObject },
        { id: "runs", header: "Runs", sortingField: "runs", cell: (r) => n(r.runs) },
        {
          id: "records",
          header: "Records sent",
          sortingField: "recordsProcessed",
          cell: (r) => n(r.recordsProcessed),
        },
        { id: "failures", header: "Failures", sortingField: "failures", cell: (r) => n(r.failures) },
        { id: "dead", header: "Dead letters", sortingField: "deadLetters", cell: (r) => n(r.deadLetters) },
        {
          id: "last",
          header: "Newest object",
          sortingField: "lastObjectAt",
          cell: (r) => formatDate(r.lastObjectAt),
        },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="object types" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
