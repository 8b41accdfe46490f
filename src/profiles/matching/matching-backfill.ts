import type { Insertable } from "kysely";
import type { ProfileKeysTable } from "../../db/schema/profiles.ts";
import { MATCH_KEY_PREFIX, matchValues } from "../../ingest/matching/matching-rules.ts";
import { chunks, insertMany, inValues } from "../bulk.ts";
import { type DomainSealer, plainSealer } from "../domain-sealer.ts";
import { inDomainTransaction } from "../domain-transaction.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import { objectFieldsColumn } from "../leaves-columns.ts";
import { matchProfiles } from "./match-profiles.ts";
import { matchingRulesOf } from "./matching-settings.ts";

/** Profiles processed per backfill transaction: short enough that ingestion waits little for the lock. */
export const BACKFILL_STEP = 500;

/**
 * One step of the backfill that turning matching on (or changing its rules) starts: the next profiles
 * after the cursor get their matching values recomputed from their objects, then are matched and
 * merged, in one short transaction holding the domain lock. Returns true when there is more to do;
 * false when done (status ACTIVE) or when the settings changed since `version` (a newer job takes over).
 */
export async function backfillStep(
  database: IngestDatabase,
  domainName: string,
  version: number,
  now: number,
  size = BACKFILL_STEP,
  sealer: DomainSealer = plainSealer,
): Promise<boolean> {
  const { db, dialect } = database;
  return inDomainTransaction(db, dialect, domainName, async (trx) => {
    const boxes = await sealer.boxesIn(trx, domainName);
    const state = await trx
      .selectFrom("domain_matching")
      .selectAll()
      .where("domain_name", "=", domainName)
      .executeTakeFirst();
    if (!state || Number(state.version) !== version || state.status === "ACTIVE") return false;
    const rules = await matchingRulesOf(trx, domainName);
    let q = trx
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", domainName)
      .orderBy("profile_id")
      .limit(size);
    if (state.cursor !== null) q = q.where("profile_id", ">", state.cursor);
    const ids = rules.enabled ? (await q.execute()).map((r) => r.profile_id) : [];
    if (ids.length === 0) {
      await trx
        .updateTable("domain_matching")
        .set({ status: "ACTIVE", updated_at: now })
        .where("domain_name", "=", domainName)
        .execute();
      return false;
    }
    await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", ids))
      .where("key_name", "like", `${MATCH_KEY_PREFIX}%`)
      .execute();
    const objects = await trx
      .selectFrom("profile_objects")
      .select(["profile_id", "object_type_name", "object_key", "fields"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", ids))
      .execute();
    const rows: Insertable<ProfileKeysTable>[] = [];
    for (const o of objects) {
      for (const v of matchValues(rules, objectFieldsColumn.open(boxes, o.fields))) {
        rows.push({
          domain_name: domainName,
          key_name: v.keyName,
          key_value: boxes.index(v.keyName, v.value),
          profile_id: o.profile_id,
          origin: "object",
          object_type_name: o.object_type_name,
          object_key: o.object_key,
        });
      }
    }
    for (const part of chunks(rows)) await insertMany(trx, dialect, "profile_keys", part);
    await matchProfiles(trx, dialect, domainName, rules, ids, now, boxes);
    await trx
      .updateTable("domain_matching")
      .set({
        status: "IN_PROGRESS",
        cursor: ids[ids.length - 1]!,
        processed: Number(state.processed) + ids.length,
        updated_at: now,
      })
      .where("domain_name", "=", domainName)
      .execute();
    return true;
  });
}
