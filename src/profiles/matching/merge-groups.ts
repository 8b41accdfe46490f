import { type Kysely, sql } from "kysely";
import { hexId } from "../../core/ids.ts";
import type { DialectName } from "../../db/dialect.ts";
import type { Json } from "../../db/json-column.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, insertMany, inValues } from "../bulk.ts";
import type { DomainBoxes } from "../domain-sealer.ts";
import { profileFieldsColumn, profileManualColumn } from "../leaves-columns.ts";
import { mergeHistoryRows } from "../merge-history-rows.ts";
import type { Leaves } from "../profile-fields.ts";
import { refreshProfiles, type SealedDomain } from "../profile-refresh.ts";
import { repointKeptApart } from "./kept-apart.ts";
import { mergeBeforeColumn, mergeCauseColumn, mergedProfileIdsColumn } from "./merge-columns.ts";

/** One automatic merge: the group's profile that stays, the ones joined into it, and why. */
export interface GroupMerge {
  mainId: string;
  mergedIds: string[];
  cause: Record<string, unknown>;
}

/**
 * Merges many groups at once inside the caller's transaction, with the semantics of MergeProfiles
 * without FieldSourceProfileIds (objects and keys move to the main profile, hand-set fields are
 * unioned with the main's winning, merged profiles are deleted) — as a handful of set-based
 * statements for the whole batch instead of a dozen per group. Each merge's prior state and cause
 * go to `profile_merges`; history gets MERGED (with `Cause`) and DELETED_BY_MERGE records.
 */
export async function mergeGroupsIn(
  trx: Kysely<Database>,
  dialect: DialectName,
  domain: SealedDomain,
  groups: readonly GroupMerge[],
  performedBy: string,
  now: number,
): Promise<void> {
  if (groups.length === 0) return;
  const { domainName, boxes } = domain;
  const all = groups.flatMap((g) => [g.mainId, ...g.mergedIds]);
  const prior = await readPrior(trx, dialect, domainName, all);
  const { manualOf, mergeIds } = await recordMerges(trx, dialect, domain, groups, prior, performedBy, now);
  await applyMerges(trx, dialect, domainName, groups);
  const mains = groups.map((g) => g.mainId);
  const refreshed = await refreshProfiles(trx, dialect, domain, mains, now, manualOf);
  const history = groups.flatMap((g) =>
    mergeHistoryRows(
      boxes,
      domainName,
      {
        mainId: g.mainId,
        mergedIds: g.mergedIds,
        mergeId: mergeIds.get(g.mainId)!,
        cause: g.cause,
        changedFields: refreshed.get(g.mainId)?.changed ?? [],
      },
      performedBy,
      now,
    ),
  );
  await insertMany(trx, dialect, "profile_history", history);
}

/** A merged profile's row, as the merge reads it. */
interface PriorRow {
  fields: Json<"profiles.fields">;
  manual: Json<"profiles.manual">;
  created_at: number;
  updated_at: number;
}

/** What the groups' profiles hold before the merge: rows, objects and manual keys, by profile id. */
interface Prior {
  rows: Map<string, PriorRow>;
  objects: Map<string, { objectTypeName: string; objectKey: string }[]>;
  manualKeys: Map<string, { keyName: string; value: string }[]>;
}

/** Reads the groups' profiles' rows, objects and manual keys, in bounded queries. */
async function readPrior(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  all: string[],
): Promise<Prior> {
  const rows = new Map<string, PriorRow>();
  const objects = new Map<string, { objectTypeName: string; objectKey: string }[]>();
  const manualKeys = new Map<string, { keyName: string; value: string }[]>();
  for (const part of chunks(all)) {
    for (const r of await trx
      .selectFrom("profiles")
      .select(["profile_id", "fields", "manual", "created_at", "updated_at"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute())
      rows.set(r.profile_id, r);
    for (const o of await trx
      .selectFrom("profile_objects")
      .select(["profile_id", "object_type_name", "object_key"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute())
      objects.set(o.profile_id, [
        ...(objects.get(o.profile_id) ?? []),
        { objectTypeName: o.object_type_name, objectKey: o.object_key },
      ]);
    for (const k of await trx
      .selectFrom("profile_keys")
      .select(["profile_id", "key_name", "key_value"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .where("origin", "=", "manual")
      .execute())
      manualKeys.set(k.profile_id, [
        ...(manualKeys.get(k.profile_id) ?? []),
        { keyName: k.key_name, value: k.key_value },
      ]);
  }
  return { rows, objects, manualKeys };
}

/**
 * Records each group's merge in `profile_merges` (its prior state and cause) and returns main's hand-set
 * fields after the merge and the merge id, per main profile.
 */
async function recordMerges(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  groups: readonly GroupMerge[],
  { rows, objects, manualKeys }: Prior,
  performedBy: string,
  now: number,
): Promise<{ manualOf: Map<string, Leaves>; mergeIds: Map<string, string> }> {
  const manualOf = new Map<string, Leaves>();
  let seq = await lastMergeSeq(trx, domainName);
  const mergeRows = [];
  const mergeIds = new Map<string, string>();
  for (const g of groups) {
    const ids = [g.mainId, ...g.mergedIds];
    const manual: Leaves = {};
    for (const id of [...g.mergedIds].reverse()) Object.assign(manual, manualLeaves(boxes, rows.get(id)));
    Object.assign(manual, manualLeaves(boxes, rows.get(g.mainId)));
    manualOf.set(g.mainId, manual);
    const mergeId = hexId();
    mergeIds.set(g.mainId, mergeId);
    const before = {
      profiles: ids.flatMap((id) => {
        const r = rows.get(id);
        return r
          ? [
              {
                profileId: id,
                fields: profileFieldsColumn.open(boxes, r.fields),
                manual: profileManualColumn.open(boxes, r.manual),
                createdAt: Number(r.created_at),
                updatedAt: Number(r.updated_at),
              },
            ]
          : [];
      }),
      objects: ids.flatMap((id) => (objects.get(id) ?? []).map((o) => ({ profileId: id, ...o }))),
      manualKeys: ids.flatMap((id) => (manualKeys.get(id) ?? []).map((k) => ({ profileId: id, ...k }))),
      // What the merge writes as main's hand-set fields: unmerge restores only fields still holding it.
      mergedManual: manual,
    };
    mergeRows.push({
      domain_name: domainName,
      merge_id: mergeId,
      seq: ++seq,
      main_profile_id: g.mainId,
      merged_profile_ids: mergedProfileIdsColumn.stringify([...g.mergedIds]),
      cause: mergeCauseColumn.seal(boxes, g.cause),
      performed_by: performedBy,
      before: mergeBeforeColumn.seal(boxes, before),
      created_at: now,
    });
  }
  await insertMany(trx, dialect, "profile_merges", mergeRows);
  return { manualOf, mergeIds };
}

/** Moves objects and keys to the main profiles, repoints kept-apart pairs and deletes the merged profiles. */
async function applyMerges(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  groups: readonly GroupMerge[],
): Promise<void> {
  const mapping = groups.flatMap((g) => g.mergedIds.map((m) => [m, g.mainId]));
  const merged = mapping.map(([m]) => m!);
  for (const part of chunks(mapping)) await moveTo(trx, dialect, domainName, "profile_objects", part);
  for (const part of chunks(merged)) {
    await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .where("origin", "=", "fields")
      .execute();
  }
  for (const part of chunks(mapping)) await moveTo(trx, dialect, domainName, "profile_keys", part);
  await repointKeptApart(trx, dialect, domainName, new Map(mapping as [string, string][]));
  for (const part of chunks(merged)) {
    await trx
      .deleteFrom("profiles")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
  }
}

function manualLeaves(boxes: DomainBoxes, row: { manual: Json<"profiles.manual"> } | undefined): Leaves {
  return row ? profileManualColumn.open(boxes, row.manual) : {};
}

/** Re-points the rows of merged profiles to their main profile: one statement for many merges. */
async function moveTo(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  table: "profile_objects" | "profile_keys",
  mapping: readonly (readonly string[])[],
): Promise<void> {
  if (dialect === "sqlite") {
    // One indexed statement per main profile: with a mapping joined in (UPDATE … FROM, or a subquery
    // per row) SQLite's planner scans the table or the mapping per row — seconds per batch.
    const byMain = new Map<string, string[]>();
    for (const [merged, main] of mapping) byMain.set(main!, [...(byMain.get(main!) ?? []), merged!]);
    for (const [main, merged] of byMain) {
      await trx
        .updateTable(table)
        .set({ profile_id: main })
        .where("domain_name", "=", domainName)
        .where(inValues(dialect, "profile_id", merged))
        .execute();
    }
  } else {
    // The rows are found through the profile index (`= any`), the new id looked up in a jsonb object
    // (a constant the planner folds): a join with the mapping was planned as a scan of the table.
    const map = JSON.stringify(Object.fromEntries(mapping.map(([merged, main]) => [merged, main])));
    const merged = mapping.map(([m]) => m!);
    const t = sql.table(table);
    await sql`update ${t} set profile_id = (${map}::jsonb ->> profile_id)
      where domain_name = ${domainName} and profile_id = any(${merged}::text[])`.execute(trx);
  }
}

/** The highest merge sequence number of the domain (0 when none); call under the domain lock. */
export async function lastMergeSeq(trx: Kysely<Database>, domainName: string): Promise<number> {
  const r = await trx
    .selectFrom("profile_merges")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}
