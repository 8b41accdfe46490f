import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { ReactNode } from "react";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, NoMatchState, paginationLabels } from "../../components/table-states.tsx";

/** A titled list with a text filter, sorting and pagination (the profile page's sections). */
export function ListTable<T extends { id: string }>({
  title,
  description,
  items: all,
  columns,
  filterFields,
  noun,
  empty,
  loading,
  actions: headerActions,
  pageSize = 10,
}: {
  title: string;
  description?: string;
  items: T[];
  columns: TableProps.ColumnDefinition<T>[];
  filterFields: string[];
  /** "objects": the filter's placeholder and label. */
  noun: string;
  empty: { title: string; subtitle?: string };
  loading: boolean;
  actions?: ReactNode;
  pageSize?: number;
}) {
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    all,
    {
      filtering: {
        empty: <EmptyState title={empty.title} {...(empty.subtitle ? { subtitle: empty.subtitle } : {})} />,
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: filterFields,
      },
      pagination: { pageSize },
      sorting: {},
    },
  );
  return (
    <Table<T>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText={`Loading ${noun}`}
      trackBy="id"
      header={
        <Header
          variant="h2"
          counter={loading ? undefined : `(${all.length})`}
          {...(description ? { description } : {})}
          {...(headerActions ? { actions: headerActions } : {})}
        >
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
