import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import type { DeadLetterItem } from "../../extension-api.ts";
import { deadLetterAdvice } from "./failure-advice.ts";

interface DeadLetterRow {
  id: string;
  createdAt: Date;
  objectTypeName: string;
  key: string;
  reasonCode: string;
  message: string;
  record: string;
}

const MAX_RECORD = 300;

/** The records the flow could not ingest (its object type's dead letters), each with its reason. */
export function DeadLettersTable({
  deadLetters,
  objectTypeName,
  loading,
}: {
  deadLetters: DeadLetterItem[];
  objectTypeName: string | undefined;
  loading: boolean;
}) {
  const rows: DeadLetterRow[] = deadLetters.map((d) => ({
    id: d.Id,
    createdAt: new Date(d.CreatedAt * 1000),
    objectTypeName: d.ObjectTypeName,
    key: d.ProfileObjectUniqueKey ?? "-",
    reasonCode: d.ReasonCode,
    message: d.Message,
    record: d.Object.length > MAX_RECORD ? `${d.Object.slice(0, MAX_RECORD)}…` : d.Object,
  }));
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    rows,
    {
      filtering: {
        empty: (
          <EmptyState
            title="No failed records"
            subtitle={`Every record of ${objectTypeName ?? "this flow"} that was read was ingested.`}
          />
        ),
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["key", "reasonCode", "message", "record"],
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  return (
    <Table<DeadLetterRow>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText="Loading failed records"
      trackBy="id"
      header={
        <Header
          variant="h2"
          counter={`(${rows.length})`}
          description="Records that were read but could not be ingested (dead letters), newest first, with why and what to do next."
        >
          Failed records
        </Header>
      }
      columnDefinitions={[
        {
          id: "key",
          header: "Record",
          isRowHeader: true,
          sortingField: "key",
          cell: (r) => r.key,
        },
        { id: "when", header: "When", sortingField: "createdAt", cell: (r) => formatDate(r.createdAt) },
        {
          id: "reason",
          header: "Reason",
          sortingField: "reasonCode",
          minWidth: 240,
          cell: (r) => (
            <div>
              <div>
                <strong>{r.reasonCode}</strong>: {r.message}
              </div>
              <Box variant="small">
                <strong>What to do next: </strong>
                {deadLetterAdvice(r.reasonCode)}
              </Box>
            </div>
          ),
        },
        {
          id: "record",
          header: "Source record",
          minWidth: 320,
          cell: (r) => (
            <code style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: "12px" }}>
              {r.record}
            </code>
          ),
        },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="failed records" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
