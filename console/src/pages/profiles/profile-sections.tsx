import type { ProfileHistoryRecord } from "@aws-sdk/client-customer-profiles";
import Link from "@cloudscape-design/components/link";
import { formatDate } from "../../components/table-states.tsx";
import type { Explanation } from "../../extension-api.ts";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { ListTable } from "./list-table.tsx";
import type { FieldRow, MatchRow, ObjectRow } from "./profile-data.ts";

const MAX_RECORD = 400;

export function FieldsSection({ fields, loading }: { fields: FieldRow[]; loading: boolean }) {
  return (
    <ListTable<FieldRow & { id: string }>
      title="Fields"
      description="The unified profile's fields and the source object each came from."
      items={fields.map((f) => ({ ...f, id: f.field }))}
      noun="fields"
      filterFields={["field", "value", "source"]}
      empty={{ title: "No fields", subtitle: "The profile has no fields set." }}
      loading={loading}
      pageSize={25}
      columns={[
        { id: "field", header: "Field", isRowHeader: true, sortingField: "field", cell: (r) => r.field },
        { id: "value", header: "Value", sortingField: "value", cell: (r) => r.value },
        { id: "source", header: "Came from", sortingField: "source", minWidth: 220, cell: (r) => r.source },
      ]}
    />
  );
}

export function ObjectsSection({ objects, loading }: { objects: ObjectRow[]; loading: boolean }) {
  return (
    <ListTable<ObjectRow>
      title="Objects"
      description="Every object from every source joined to this profile (contacts, leads, users, cases, assets, tickets, incidents)."
      items={objects}
      noun="objects"
      filterFields={["objectTypeName", "key", "record", "joinedBy"]}
      empty={{ title: "No objects", subtitle: "No source object is joined to this profile." }}
      loading={loading}
      columns={[
        {
          id: "type",
          header: "Source",
          isRowHeader: true,
          sortingField: "objectTypeName",
          cell: (r) => r.objectTypeName,
        },
        { id: "key", header: "Object", sortingField: "key", cell: (r) => r.key },
        {
          id: "joined",
          header: "Joined by",
          sortingField: "joinedBy",
          minWidth: 180,
          cell: (r) => r.joinedBy,
        },
        {
          id: "record",
          header: "Record",
          minWidth: 320,
          cell: (r) => (
            <code style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: "12px" }}>
              {r.record.length > MAX_RECORD ? `${r.record.slice(0, MAX_RECORD)}…` : r.record}
            </code>
          ),
        },
      ]}
    />
  );
}

interface HistoryRow {
  id: string;
  createdAt: Date | undefined;
  action: string;
  objectTypeName: string;
  key: string;
  performedBy: string;
}

export function HistorySection({ records, loading }: { records: ProfileHistoryRecord[]; loading: boolean }) {
  const rows: HistoryRow[] = records.map((r) => ({
    id: r.Id ?? "",
    createdAt: r.CreatedAt,
    action: r.ActionType ?? "-",
    objectTypeName: r.ObjectTypeName ?? "-",
    key: r.ProfileObjectUniqueKey ?? "-",
    performedBy: r.PerformedBy ?? "-",
  }));
  return (
    <ListTable<HistoryRow>
      title="History"
      description="What changed the profile, newest first (ListProfileHistoryRecords)."
      items={rows}
      noun="history records"
      filterFields={["action", "objectTypeName", "key", "performedBy"]}
      empty={{ title: "No history" }}
      loading={loading}
      columns={[
        {
          id: "when",
          header: "When",
          isRowHeader: true,
          sortingField: "createdAt",
          cell: (r) => formatDate(r.createdAt),
        },
        { id: "action", header: "Action", sortingField: "action", cell: (r) => r.action },
        { id: "type", header: "Object type", sortingField: "objectTypeName", cell: (r) => r.objectTypeName },
        { id: "key", header: "Object", sortingField: "key", cell: (r) => r.key },
        { id: "by", header: "Performed by", sortingField: "performedBy", cell: (r) => r.performedBy },
      ]}
    />
  );
}

export function MatchesSection({
  domain,
  matches,
  loading,
}: {
  domain: string;
  matches: MatchRow[] | undefined;
  loading: boolean;
}) {
  return (
    <ListTable<MatchRow & { id: string }>
      title="Matches"
      description={
        matches === undefined && !loading
          ? "Matching is not enabled for this domain (RuleBasedMatching or Matching on the domain)."
          : "Profiles that matching found to be the same person but did not merge."
      }
      items={(matches ?? []).map((m) => ({ ...m, id: `${m.matchType}/${m.profileId}` }))}
      noun="matches"
      filterFields={["profileId", "matchType", "matchId", "level"]}
      empty={{
        title: "No matches",
        subtitle: matches === undefined ? "Matching is off." : "No other profile matches.",
      }}
      loading={loading}
      columns={[
        {
          id: "profile",
          header: "Profile",
          isRowHeader: true,
          sortingField: "profileId",
          cell: (r) => (
            <Link href={href(paths.profile(domain, r.profileId))} onFollow={follow}>
              {r.profileId}
            </Link>
          ),
        },
        { id: "type", header: "Matching", sortingField: "matchType", cell: (r) => r.matchType },
        { id: "level", header: "Strength", sortingField: "level", cell: (r) => r.level },
        { id: "matchId", header: "Match ID", cell: (r) => r.matchId },
      ]}
    />
  );
}

interface MergeRow {
  id: string;
  createdAt: Date;
  merged: string;
  cause: string;
  performedBy: string;
}

function causeText(cause: unknown): string {
  const c = cause as { Type?: string; Links?: { RuleLevel?: number; Rule?: string[] }[] } | undefined;
  if (!c) return "-";
  if (c.Links?.length) {
    return c.Links.map((l) => `rule ${l.RuleLevel ?? "?"}${l.Rule ? ` (${l.Rule.join(", ")})` : ""}`).join(
      "; ",
    );
  }
  return c.Type ?? JSON.stringify(c);
}

export function MergesSection({
  explanation,
  loading,
}: {
  explanation: Explanation | undefined;
  loading: boolean;
}) {
  const rows: MergeRow[] = (explanation?.Merges ?? []).map((m) => ({
    id: m.MergeId,
    createdAt: new Date(m.CreatedAt * 1000),
    merged: m.MergedProfileIds.join(", "),
    cause: causeText(m.Cause),
    performedBy: m.PerformedBy,
  }));
  return (
    <ListTable<MergeRow>
      title="Merges"
      description="The merges that built this profile, oldest first (ExplainProfile)."
      items={rows}
      noun="merges"
      filterFields={["id", "merged", "cause", "performedBy"]}
      empty={{ title: "No merges", subtitle: "This profile was never merged with another." }}
      loading={loading}
      columns={[
        {
          id: "when",
          header: "When",
          isRowHeader: true,
          sortingField: "createdAt",
          cell: (r) => formatDate(r.createdAt),
        },
        { id: "merged", header: "Profiles merged in", cell: (r) => r.merged },
        { id: "cause", header: "Why", cell: (r) => r.cause },
        { id: "by", header: "Performed by", cell: (r) => r.performedBy },
        { id: "id", header: "Merge ID", cell: (r) => r.id },
      ]}
    />
  );
}
