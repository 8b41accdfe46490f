import type { Kysely } from "kysely";
import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import { notFound, ProfileflowError } from "../../core/errors.ts";
import type { Json } from "../../db/json-column.ts";
import type { Database } from "../../db/schema.ts";
import { insertMany, inValues } from "../bulk.ts";
import { type DomainBoxes, type DomainSealer, plainSealer } from "../domain-sealer.ts";
import { inDomainTransaction } from "../domain-transaction.ts";
import { historyContentColumn } from "../history-content-column.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import { profileFieldsColumn, profileManualColumn } from "../leaves-columns.ts";
import type { Leaves } from "../profile-fields.ts";
import { historyRow, PROFILE_CALL_TYPE } from "../profile-history.ts";
import { refreshProfiles, type SealedDomain } from "../profile-refresh.ts";
import { keepApart } from "./kept-apart.ts";
import {
  mergeBeforeColumn,
  mergeCauseColumn,
  mergedProfileIdsColumn,
  type PriorState,
} from "./merge-columns.ts";

/** The `MatchedBy` member of an INGESTED history record: the key that found the profile. */
const matchedBySchema = z.object({ KeyName: z.string(), Value: z.string() });

/** One merge as recorded: what it joined, why, by whom, when. */
export interface MergeRecord {
  mergeId: string;
  mainProfileId: string;
  mergedProfileIds: string[];
  cause: Record<string, unknown>;
  performedBy: string;
  createdAt: number;
  /** Its place in the domain's order of merges. */
  seq: number;
}

/** Why an object is in a profile: how it found its profile at ingestion, and through which merges. */
export interface ObjectLineage {
  objectTypeName: string;
  profileObjectUniqueKey: string;
  /** The profile the object was first attached to (before any merge). */
  originalProfileId: string;
  /** The key that found that profile at ingestion; absent when the object created it. */
  matchedBy?: { keyName: string; value: string };
}

/**
 * Explain and unmerge: merges are recorded with their cause and the state before them
 * (`profile_merges`), so a profile's objects can be traced back to how each joined it, and a merge
 * can be undone exactly.
 */
export class MergeRecords {
  constructor(
    private readonly database: IngestDatabase,
    private readonly clock: Clock,
    private readonly sealer: DomainSealer = plainSealer,
  ) {}

  /**
   * Why a profile holds its objects: every merge that built it (transitively, oldest first) and, per
   * object, the profile it first joined and the key that found it. RESOURCE_NOT_FOUND for no profile.
   */
  async explain(
    domainName: string,
    profileId: string,
  ): Promise<{ merges: MergeRecord[]; objects: ObjectLineage[] }> {
    const db = this.database.db;
    const exists = await db
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId)
      .executeTakeFirst();
    if (!exists) throw notFound(`Profile ${profileId} does not exist`, { member: "ProfileId" });
    const boxes = await this.sealer.boxesIn(db, domainName);
    const merges: MergeRecord[] = [];
    const seen = new Set([profileId]);
    for (let frontier = [profileId]; frontier.length > 0; ) {
      const rows = await db
        .selectFrom("profile_merges")
        .selectAll()
        .where("domain_name", "=", domainName)
        .where(inValues(this.database.dialect, "main_profile_id", frontier))
        .execute();
      frontier = [];
      for (const r of rows) {
        const m = toRecord(boxes, r);
        merges.push(m);
        for (const id of m.mergedProfileIds) {
          if (seen.has(id)) continue;
          seen.add(id);
          frontier.push(id);
        }
      }
    }
    merges.sort((a, b) => a.seq - b.seq);
    const objects = await db
      .selectFrom("profile_objects")
      .select(["object_type_name", "object_key"])
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId)
      .orderBy("object_type_name")
      .orderBy("object_key")
      .execute();
    const ingested = await db
      .selectFrom("profile_history")
      .select(["profile_id", "object_type_name", "object_key", "content", "created_at"])
      .where("domain_name", "=", domainName)
      .where(inValues(this.database.dialect, "profile_id", [...seen]))
      .where("action_type", "=", "INGESTED")
      .orderBy("created_at")
      .execute();
    // The first ingestion of each object says which profile it joined, and how.
    const first = new Map<string, (typeof ingested)[number]>();
    for (const h of ingested) {
      const k = `${h.object_type_name}\u0000${h.object_key}`;
      if (!first.has(k)) first.set(k, h);
    }
    return {
      merges,
      objects: objects.map((o) => {
        const h = first.get(`${o.object_type_name}\u0000${o.object_key}`);
        const content = h ? historyContentColumn.open(boxes, h.content) : {};
        const matchedBy = matchedBySchema.safeParse(content["MatchedBy"]);
        const out: ObjectLineage = {
          objectTypeName: o.object_type_name,
          profileObjectUniqueKey: o.object_key,
          originalProfileId: h?.profile_id ?? profileId,
        };
        if (matchedBy.success)
          out.matchedBy = { keyName: matchedBy.data.KeyName, value: matchedBy.data.Value };
        return out;
      }),
    };
  }

  /**
   * Undoes a merge: the joined profiles come back with their ids, creation times and hand-set fields;
   * the objects and manual keys they held before go back to them (objects ingested onto the main
   * profile since stay there); fields are re-derived. Only the latest merge of a profile can be
   * undone (CONFLICT names the later one). The pairs it separated are recorded so rule-based matching
   * does not join them again. Returns the main profile and the restored ones.
   */
  async unmerge(
    domainName: string,
    mergeId: string,
    performedBy: string,
  ): Promise<{ mainProfileId: string; restoredProfileIds: string[] }> {
    const { db, dialect } = this.database;
    const now = this.clock.now();
    return inDomainTransaction(db, dialect, domainName, async (trx) => {
      const boxes = await this.sealer.boxesIn(trx, domainName);
      const domain = { domainName, boxes };
      const { row, mainRow } = await unmergeable(trx, domain, mergeId);
      const main = mainRow.profile_id;
      const before = mergeBeforeColumn.open(boxes, row.before);
      const restored = before.profiles.filter((p) => p.profileId !== main);
      await insertMany(
        trx,
        dialect,
        "profiles",
        restored.map((p) => ({
          domain_name: domainName,
          profile_id: p.profileId,
          // Re-derived below from the objects given back; "{}" makes every leaf a change, so keys follow.
          fields: profileFieldsColumn.seal(boxes, {}),
          manual: profileManualColumn.seal(boxes, p.manual),
          created_at: p.createdAt,
          updated_at: now,
        })),
      );
      await giveBackObjects(trx, domainName, main, before.objects);
      await giveBackManualKeys(trx, dialect, domainName, main, before.manualKeys);
      const manual = new Map(before.profiles.map((p) => [p.profileId, p.manual]));
      manual.set(
        main,
        threeWay(
          manual.get(main) ?? {},
          before.mergedManual,
          profileManualColumn.open(boxes, mainRow.manual),
        ),
      );
      const ids = [main, ...restored.map((p) => p.profileId)];
      await refreshProfiles(trx, dialect, domain, ids, now, manual);
      await trx
        .deleteFrom("profile_merges")
        .where("domain_name", "=", domainName)
        .where("merge_id", "=", mergeId)
        .execute();
      // Every two of the separated profiles are kept apart from now on (rule-based matching reads
      // these rows): not only each restored one and the main, but two restored ones as well.
      const pairs = ids.flatMap((a, i) => ids.slice(i + 1).map((b) => [a, b] as const));
      await keepApart(trx, domain, pairs, { Hold: "UNMERGED", MergeId: mergeId }, now);
      const restoredIds = restored.map((p) => p.profileId);
      await insertMany(
        trx,
        dialect,
        "profile_history",
        unmergeHistory(domain, mergeId, main, restoredIds, performedBy, now),
      );
      return { mainProfileId: main, restoredProfileIds: restoredIds };
    });
  }
}

/** The merge to undo and its main profile's row; NOT_FOUND, or CONFLICT when main is gone or merged again since. */
async function unmergeable(trx: Kysely<Database>, { domainName, boxes }: SealedDomain, mergeId: string) {
  const row = await trx
    .selectFrom("profile_merges")
    .selectAll()
    .where("domain_name", "=", domainName)
    .where("merge_id", "=", mergeId)
    .executeTakeFirst();
  if (!row) throw notFound(`Merge ${mergeId} does not exist in domain ${domainName}`, { member: "MergeId" });
  const merge = toRecord(boxes, row);
  const main = merge.mainProfileId;
  const mainRow = await trx
    .selectFrom("profiles")
    .select(["profile_id", "manual"])
    .where("domain_name", "=", domainName)
    .where("profile_id", "=", main)
    .executeTakeFirst();
  if (!mainRow) {
    throw new ProfileflowError(
      "CONFLICT",
      `Profile ${main}, which merge ${mergeId} joined profiles into, has been deleted: there is nothing to unmerge`,
      { member: "MergeId" },
    );
  }
  const later = await laterMerge(trx, domainName, merge);
  if (later) {
    throw new ProfileflowError(
      "CONFLICT",
      `Profile ${main} was changed by merge ${later} after merge ${mergeId}: unmerge ${later} first`,
      { member: "MergeId" },
    );
  }
  return { row, mainRow };
}

/** The objects the joined profiles held before the merge go back to them (with their object keys). */
async function giveBackObjects(
  trx: Kysely<Database>,
  domainName: string,
  main: string,
  objects: PriorState["objects"],
): Promise<void> {
  for (const o of objects) {
    if (o.profileId === main) continue;
    for (const table of ["profile_objects", "profile_keys"] as const) {
      let q = trx
        .updateTable(table)
        .set({ profile_id: o.profileId })
        .where("domain_name", "=", domainName)
        .where("profile_id", "=", main)
        .where("object_type_name", "=", o.objectTypeName)
        .where("object_key", "=", o.objectKey);
      if (table === "profile_keys") q = q.where("origin", "=", "object");
      await q.execute();
    }
  }
}

/**
 * Manual keys go back per (name, value): main's rows of a value a restored profile held become one row
 * per profile that held it before (main included, so a key both had stays on main too). A value removed
 * from main since the merge is given back to nobody.
 */
async function giveBackManualKeys(
  trx: Kysely<Database>,
  dialect: IngestDatabase["dialect"],
  domainName: string,
  main: string,
  manualKeys: PriorState["manualKeys"],
): Promise<void> {
  const holders = new Map<string, { keyName: string; value: string; profileIds: Set<string> }>();
  for (const k of manualKeys) {
    const id = `${k.keyName}\u0000${k.value}`;
    const h = holders.get(id) ?? { keyName: k.keyName, value: k.value, profileIds: new Set<string>() };
    h.profileIds.add(k.profileId);
    holders.set(id, h);
  }
  for (const h of holders.values()) {
    if (h.profileIds.size === 1 && h.profileIds.has(main)) continue;
    const gone = await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", main)
      .where("origin", "=", "manual")
      .where("key_name", "=", h.keyName)
      .where("key_value", "=", h.value)
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) continue;
    await insertMany(
      trx,
      dialect,
      "profile_keys",
      [...h.profileIds].map((profileId) => ({
        domain_name: domainName,
        key_name: h.keyName,
        key_value: h.value,
        profile_id: profileId,
        origin: "manual",
        object_type_name: "",
        object_key: "",
      })),
    );
  }
}

/** History rows of an unmerge: main UPDATED, each restored profile CREATED. */
function unmergeHistory(
  { domainName, boxes }: SealedDomain,
  mergeId: string,
  main: string,
  restoredIds: string[],
  performedBy: string,
  now: number,
) {
  return [
    historyRow(
      boxes,
      domainName,
      {
        profileId: main,
        objectTypeName: PROFILE_CALL_TYPE,
        actionType: "UPDATED",
        performedBy,
        content: { Unmerged: { MergeId: mergeId, RestoredProfileIds: restoredIds } },
      },
      now,
    ),
    ...restoredIds.map((id) =>
      historyRow(
        boxes,
        domainName,
        {
          profileId: id,
          objectTypeName: PROFILE_CALL_TYPE,
          actionType: "CREATED",
          performedBy,
          content: { RestoredByUnmerge: { MergeId: mergeId, MainProfileId: main } },
        },
        now,
      ),
    ),
  ];
}

/**
 * Main's hand-set fields after an unmerge: per field, the value from before the merge where the field
 * still holds what the merge wrote, else the current value (an UpdateProfile made since is kept).
 * Without a record of what the merge wrote (older merges), the values from before the merge.
 */
function threeWay(prior: Leaves, written: Leaves | undefined, current: Leaves): Leaves {
  if (!written) return prior;
  const out: Leaves = {};
  for (const k of new Set([...Object.keys(prior), ...Object.keys(written), ...Object.keys(current)])) {
    const v = current[k] === written[k] ? prior[k] : current[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A merge after `merge` that joined its main profile into another, or more profiles into it. */
async function laterMerge(
  trx: Kysely<Database>,
  domainName: string,
  merge: MergeRecord,
): Promise<string | undefined> {
  const rows = await trx
    .selectFrom("profile_merges")
    .select(["merge_id", "main_profile_id", "merged_profile_ids"])
    .where("domain_name", "=", domainName)
    .where("seq", ">", merge.seq)
    .execute();
  for (const r of rows) {
    const merged = mergedProfileIdsColumn.parse(r.merged_profile_ids);
    if (r.main_profile_id === merge.mainProfileId || merged.includes(merge.mainProfileId)) return r.merge_id;
  }
  return undefined;
}

function toRecord(
  boxes: DomainBoxes,
  r: {
    merge_id: string;
    main_profile_id: string;
    merged_profile_ids: Json<"profile_merges.merged_profile_ids">;
    cause: Json<"profile_merges.cause">;
    performed_by: string;
    created_at: number;
    seq: number;
  },
): MergeRecord {
  return {
    mergeId: r.merge_id,
    mainProfileId: r.main_profile_id,
    mergedProfileIds: mergedProfileIdsColumn.parse(r.merged_profile_ids),
    cause: mergeCauseColumn.open(boxes, r.cause),
    performedBy: r.performed_by,
    createdAt: Number(r.created_at),
    seq: Number(r.seq),
  };
}
