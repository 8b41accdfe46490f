import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import type { DomainObjectItem } from "../../extension-api.ts";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";

interface ObjectRow {
  id: string;
  objectTypeName: string;
  key: string;
  profileId: string;
  updatedAt: Date;
  name: string;
  fields: string;
}

/** The profile fields an object feeds, as one line: "FirstName: Ada · EmailAddress: ada@…". */
export function fieldsLine(fields: Record<string, string>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}: ${v}`)
    .join(" · ");
}

/** The latest objects stored for the integration's object types, each linked to its profile. */
export function LatestObjectsTable({
  domain,
  objects,
  more,
  loading,
}: {
  domain: string;
  objects: DomainObjectItem[];
  more: boolean;
  loading: boolean;
}) {
  const rows: ObjectRow[] = objects.map((o) => ({
    id: `${o.ObjectTypeName}/${o.ProfileObjectUniqueKey}`,
    objectTypeName: o.ObjectTypeName,
    key: o.ProfileObjectUniqueKey,
    profileId: o.ProfileId,
    updatedAt: new Date(o.UpdatedAt * 1000),
    name:
      [o.Fields["FirstName"], o.Fields["LastName"]].filter(Boolean).join(" ") ||
      o.Fields["BusinessName"] ||
      "-",
    fields: fieldsLine(o.Fields),
  }));
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    rows,
    {
      filtering: {
        empty: (
          <EmptyState
            title="No objects yet"
            subtitle="Nothing this integration sent is stored yet: run the flow from Flow details."
          />
        ),
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["objectTypeName", "key", "profileId", "name", "fields"],
      },
      pagination: { pageSize: 20 },
      sorting: { defaultState: { sortingColumn: { sortingField: "updatedAt" }, isDescending: true } },
    },
  );
  return (
    <Table<ObjectRow>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText="Loading objects"
      trackBy="id"
      header={
        <Header
          variant="h2"
          counter={`(${rows.length}${more ? "+" : ""})`}
          description={`The newest objects stored${more ? " (the latest loaded; older ones exist)" : ""}, with the profile each joined.`}
        >
          Latest objects
        </Header>
      }
      columnDefinitions={[
        { id: "key", header: "Object", isRowHeader: true, sortingField: "key", cell: (r) => r.key },
        { id: "type", header: "Object type", sortingField: "objectTypeName", cell: (r) => r.objectTypeName },
        {
          id: "profile",
          header: "Profile",
          sortingField: "profileId",
          cell: (r) => (
            <Link href={href(paths.profile(domain, r.profileId))} onFollow={follow}>
              {r.profileId}
            </Link>
          ),
        },
        { id: "name", header: "Name", sortingField: "name", cell: (r) => r.name },
        { id: "updated", header: "Stored", sortingField: "updatedAt", cell: (r) => formatDate(r.updatedAt) },
        {
          id: "fields",
          header: "Profile fields it sets",
          minWidth: 320,
          cell: (r) => <span style={{ overflowWrap: "anywhere" }}>{r.fields || "-"}</span>,
        },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="objects" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
