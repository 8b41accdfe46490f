import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, NoMatchState, paginationLabels } from "../../components/table-states.tsx";

/**
 * An embedded table of the progress view (a workflow's steps, a flow's executions): paginated
 * (10 a page) and filterable over the text `text(item)` gives (what its cells show).
 */
export function ProgressTable<T>({
  title,
  noun,
  items,
  loading,
  columns,
  text,
  empty,
  countSuffix = "",
}: {
  title: string;
  /** Plural, for the filter's placeholder and labels: "steps", "executions". */
  noun: string;
  items: readonly T[];
  loading: boolean;
  columns: TableProps.ColumnDefinition<T>[];
  text: (item: T) => string;
  empty: string;
  /** After the count: " (first 2,000)" when the list was capped. */
  countSuffix?: string;
}) {
  const {
    items: shown,
    collectionProps,
    filterProps,
    paginationProps,
    filteredItemsCount,
    actions,
  } = useCollection(items, {
    filtering: {
      empty: <EmptyState title={empty} />,
      noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
      filteringFunction: (item, filteringText) =>
        text(item).toLowerCase().includes(filteringText.trim().toLowerCase()),
    },
    pagination: { pageSize: 10 },
  });
  return (
    <Table<T>
      {...collectionProps}
      items={shown}
      loading={loading}
      loadingText={`Loading ${noun}`}
      variant="embedded"
      header={
        <Header variant="h3" counter={`(${items.length}${countSuffix})`}>
          {title}
        </Header>
      }
      columnDefinitions={columns}
      filter={<TableFilter filterProps={filterProps} noun={noun} matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
