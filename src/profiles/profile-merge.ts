import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import { invalid, notFound } from "../core/errors.ts";
import { hexId } from "../core/ids.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { chunks, insertMany } from "./bulk.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { inDomainTransaction } from "./domain-transaction.ts";
import { profileFieldsColumn, profileManualColumn } from "./leaves-columns.ts";
import { repointKeptApart } from "./matching/kept-apart.ts";
import { mergeBeforeColumn, mergeCauseColumn, mergedProfileIdsColumn } from "./matching/merge-columns.ts";
import { lastMergeSeq } from "./matching/merge-groups.ts";
import { mergeHistoryRows } from "./merge-history-rows.ts";
import type { Leaves } from "./profile-fields.ts";
import type { IngestDatabase } from "./profile-ingestor.ts";
import { refreshProfiles, type SealedDomain } from "./profile-refresh.ts";

/** FieldSourceProfileIds: which profile each standard field (or attribute) is taken from. */
export type FieldSources = Record<string, string | Record<string, string> | undefined>;

/**
 * MergeProfiles: objects and keys of the merged profiles move to the main one, which keeps the union
 * of the hand-set fields (main wins on conflict); a field named in FieldSourceProfileIds takes that
 * profile's value, even when it has none. Merged profiles are deleted; history records both sides.
 */
export class ProfileMerge {
  constructor(
    private readonly database: IngestDatabase,
    private readonly clock: Clock,
    private readonly sealer: DomainSealer = plainSealer,
  ) {}

  /** Merges `mergedIds` into `mainId`. */
  async merge(
    domainName: string,
    mainId: string,
    mergedIds: readonly string[],
    fieldSources: FieldSources | undefined,
    performedBy: string,
  ): Promise<void> {
    const ids = [...new Set(mergedIds)];
    if (ids.includes(mainId)) {
      throw invalid("ProfileIdsToBeMerged", "ProfileIdsToBeMerged must not contain MainProfileId");
    }
    const { db, dialect } = this.database;
    const now = this.clock.now();
    await inDomainTransaction(db, dialect, domainName, async (trx) => {
      const boxes = await this.sealer.boxesIn(trx, domainName);
      const req = { mainId, mergedIds: ids, fieldSources, performedBy, now };
      await mergeProfilesIn(trx, dialect, { domainName, boxes }, req);
    });
  }
}

/** What a merge joins, and (for automatic merges) why. */
export interface MergeRequest {
  mainId: string;
  mergedIds: readonly string[];
  fieldSources?: FieldSources | undefined;
  performedBy: string;
  now: number;
  /** Why the profiles were joined (rule and values); recorded in history and with the merge. Absent for MergeProfiles. */
  cause?: Record<string, unknown>;
}

/**
 * Merges inside the caller's transaction (which holds the domain lock): the one implementation behind
 * MergeProfiles and automatic rule-based merges. The state before (profile rows, where each object and
 * manual key was) is kept in `profile_merges`, so the merge can be explained and undone. Returns the
 * merge id.
 */
export async function mergeProfilesIn(
  trx: Kysely<Database>,
  dialect: DialectName,
  domain: SealedDomain,
  req: MergeRequest,
): Promise<string> {
  const { domainName, boxes } = domain;
  const { mainId, fieldSources, performedBy, now } = req;
  const ids = [...new Set(req.mergedIds)];
  const rows = await trx
    .selectFrom("profiles")
    .select(["profile_id", "fields", "manual", "created_at", "updated_at"])
    .where("domain_name", "=", domainName)
    .where("profile_id", "in", [mainId, ...ids])
    .execute();
  const byId = new Map(rows.map((r) => [r.profile_id, r]));
  if (!byId.has(mainId)) throw notFound(`Profile ${mainId} does not exist`, { member: "MainProfileId" });
  const missing = ids.find((id) => !byId.has(id));
  if (missing) throw notFound(`Profile ${missing} does not exist`, { member: "ProfileIdsToBeMerged" });
  const opened = new Map(
    rows.map((r) => [
      r.profile_id,
      {
        ...r,
        fields: profileFieldsColumn.open(boxes, r.fields),
        manual: profileManualColumn.open(boxes, r.manual),
      },
    ]),
  );
  const manual = mergedManual(opened, mainId, ids, fieldSources);
  const mergeId = hexId();
  await recordPriorState(trx, domain, mergeId, req, ids, [...opened.values()], manual);
  await moveToMain(trx, domainName, ids, mainId);
  await repointKeptApart(trx, dialect, domainName, new Map(ids.map((id) => [id, mainId])));
  const refreshed = await refreshProfiles(trx, dialect, domain, [mainId], now, new Map([[mainId, manual]]));
  const history = mergeHistoryRows(
    boxes,
    domainName,
    {
      mainId,
      mergedIds: ids,
      mergeId,
      cause: req.cause,
      changedFields: refreshed.get(mainId)?.changed ?? [],
    },
    performedBy,
    now,
  );
  await insertMany(trx, dialect, "profile_history", history);
  return mergeId;
}

/**
 * The main profile's manual fields after the merge: the merged profiles' manual fields (main's win),
 * then the fields FieldSourceProfileIds picks from one of the profiles (a structure taken whole).
 */
function mergedManual(
  byId: Map<string, { fields: Leaves; manual: Leaves }>,
  mainId: string,
  ids: readonly string[],
  fieldSources: MergeRequest["fieldSources"],
): Leaves {
  const manual: Leaves = {};
  for (const id of [...ids].reverse()) Object.assign(manual, byId.get(id)!.manual);
  Object.assign(manual, byId.get(mainId)!.manual);
  const effective = (id: string) => byId.get(id)!.fields;
  for (const [field, source] of Object.entries(fieldSources ?? {})) {
    if (source === undefined) continue;
    const picks =
      typeof source === "string"
        ? [[field, source] as const]
        : Object.entries(source).map(([a, p]) => [`Attributes.${a}`, p] as const);
    for (const [leafOrGroup, profileId] of picks) {
      if (!byId.has(profileId)) {
        throw invalid(
          `FieldSourceProfileIds.${field}`,
          `FieldSourceProfileIds.${field} names profile ${profileId}, which is not being merged`,
        );
      }
      const from = effective(profileId);
      // A structure (an address) is taken whole: its parts the source lacks are cleared.
      const all = [mainId, ...ids].flatMap((id) => Object.keys(effective(id)));
      for (const leaf of new Set(all)) {
        if (leaf === leafOrGroup || leaf.startsWith(`${leafOrGroup}.`)) manual[leaf] = from[leaf] ?? "";
      }
      if (!all.includes(leafOrGroup) && !all.some((l) => l.startsWith(`${leafOrGroup}.`)))
        manual[leafOrGroup] = "";
    }
  }
  return manual;
}

/** Moves the merged profiles' objects and keys to the main profile (their field keys go) and deletes them. */
async function moveToMain(
  trx: Kysely<Database>,
  domainName: string,
  ids: readonly string[],
  mainId: string,
): Promise<void> {
  for (const part of chunks([...ids])) {
    await trx
      .updateTable("profile_objects")
      .set({ profile_id: mainId })
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .execute();
    await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .where("origin", "=", "fields")
      .execute();
    await trx
      .updateTable("profile_keys")
      .set({ profile_id: mainId })
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .execute();
    await trx
      .deleteFrom("profiles")
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .execute();
  }
}

/**
 * Keeps what a merge is about to change: the rows of every profile it joins, where each of their
 * objects and manual keys was, and why. Unmerge and explain read it back.
 */
async function recordPriorState(
  trx: Kysely<Database>,
  domain: SealedDomain,
  mergeId: string,
  req: MergeRequest,
  ids: readonly string[],
  rows: readonly {
    profile_id: string;
    fields: Leaves;
    manual: Leaves;
    created_at: number;
    updated_at: number;
  }[],
  mergedManual: Leaves,
): Promise<void> {
  const { domainName, boxes } = domain;
  const objects = await trx
    .selectFrom("profile_objects")
    .select(["profile_id", "object_type_name", "object_key"])
    .where("domain_name", "=", domainName)
    .where("profile_id", "in", [req.mainId, ...ids])
    .execute();
  const manualKeys = await trx
    .selectFrom("profile_keys")
    .select(["profile_id", "key_name", "key_value"])
    .where("domain_name", "=", domainName)
    .where("profile_id", "in", [req.mainId, ...ids])
    .where("origin", "=", "manual")
    .execute();
  const before = {
    profiles: rows.map((r) => ({
      profileId: r.profile_id,
      fields: r.fields,
      manual: r.manual,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    objects: objects.map((o) => ({
      profileId: o.profile_id,
      objectTypeName: o.object_type_name,
      objectKey: o.object_key,
    })),
    manualKeys: manualKeys.map((k) => ({ profileId: k.profile_id, keyName: k.key_name, value: k.key_value })),
    // What the merge writes as main's hand-set fields: unmerge restores only fields still holding it.
    mergedManual,
  };
  await trx
    .insertInto("profile_merges")
    .values({
      domain_name: domainName,
      merge_id: mergeId,
      seq: (await lastMergeSeq(trx, domainName)) + 1,
      main_profile_id: req.mainId,
      merged_profile_ids: mergedProfileIdsColumn.stringify([...ids]),
      cause: mergeCauseColumn.seal(boxes, req.cause ?? { Type: "MERGE_PROFILES" }),
      performed_by: req.performedBy,
      before: mergeBeforeColumn.seal(boxes, before),
      created_at: req.now,
    })
    .execute();
}
