import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import type { ReactNode } from "react";
import { TableFilter } from "../../components/table-filter.tsx";
import { NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import type { ProfileRow } from "./profile-rows.ts";

/** Profiles found (or recently updated), each linked to its unified profile. */
export function ProfilesTable({
  domain,
  title,
  description,
  rows,
  loading,
  empty,
  showFoundBy,
}: {
  domain: string;
  title: string;
  description: string;
  rows: ProfileRow[];
  loading: boolean;
  empty: ReactNode;
  showFoundBy: boolean;
}) {
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    rows,
    {
      filtering: {
        empty,
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["profileId", "name", "email", "phone", "account", "foundBy"],
      },
      pagination: { pageSize: 20 },
      sorting: {},
    },
  );
  return (
    <Table<ProfileRow>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText="Loading profiles"
      trackBy="profileId"
      header={
        <Header variant="h2" counter={loading ? undefined : `(${rows.length})`} description={description}>
          {title}
        </Header>
      }
      columnDefinitions={[
        {
          id: "name",
          header: "Name",
          isRowHeader: true,
          sortingField: "name",
          cell: (r) => (
            <Link href={href(paths.profile(domain, r.profileId))} onFollow={follow}>
              {r.name}
            </Link>
          ),
        },
        { id: "email", header: "Email", sortingField: "email", cell: (r) => r.email },
        { id: "phone", header: "Phone", sortingField: "phone", cell: (r) => r.phone },
        { id: "account", header: "Account", sortingField: "account", cell: (r) => r.account },
        ...(showFoundBy ? [{ id: "foundBy", header: "Found by", cell: (r: ProfileRow) => r.foundBy }] : []),
        { id: "id", header: "Profile ID", sortingField: "profileId", cell: (r) => r.profileId },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="profiles" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
