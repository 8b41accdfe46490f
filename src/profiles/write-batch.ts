import type { Insertable, Kysely } from "kysely";
import type {
  ProfileDeadLettersTable,
  ProfileHistoryTable,
  ProfileKeysTable,
  ProfileObjectsTable,
} from "../db/schema/profiles.ts";
import type { Database } from "../db/schema.ts";
import { insertMany, inValues } from "./bulk.ts";
import { historyContentColumn } from "./history-content-column.ts";
import { OBJECT_UPSERT } from "./ingest-rows.ts";
import type { IngestDatabase } from "./ingest-types.ts";
import { fieldKeyRows } from "./key-index.ts";
import { profileFieldsColumn, profileManualColumn } from "./leaves-columns.ts";
import { deriveLeaves, type FieldSource } from "./profile-fields.ts";
import { refreshProfiles } from "./profile-refresh.ts";

/** A profile created by this batch: its sources by object id, and the index of its last history row. */
export interface CreatedProfile {
  sources: Map<string, FieldSource>;
  historyIndex: number;
}

/** Everything a resolved batch writes. */
export interface BatchWrites {
  /** Stored objects this batch replaces → their profile (their object keys are deleted first). */
  replacedInDb: Map<string, string>;
  objectRows: Insertable<ProfileObjectsTable>[];
  keyRows: Insertable<ProfileKeysTable>[];
  created: Map<string, CreatedProfile>;
  /** Existing profiles this batch attached objects to → the index of their last history row. */
  touched: Map<string, number>;
  history: { row: Insertable<ProfileHistoryTable>; content: Record<string, unknown> }[];
  deadLetters: Insertable<ProfileDeadLettersTable>[];
}

/**
 * Writes a resolved batch as multi-row statements: replaced objects' keys go, objects are upserted,
 * new profiles are derived from their sources, touched profiles refreshed, then keys, history and dead
 * letters — with the change list of each profile's history row filled in.
 */
export async function writeBatch(
  trx: Kysely<Database>,
  database: IngestDatabase,
  domainName: string,
  typeName: string,
  now: number,
  w: BatchWrites,
): Promise<void> {
  const dialect = database.dialect;
  if (w.replacedInDb.size > 0) {
    // An object's keys carry its profile (merges move both), so the profile index finds them.
    await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", [...new Set(w.replacedInDb.values())]))
      .where("origin", "=", "object")
      .where("object_type_name", "=", typeName)
      .where(inValues(dialect, "object_key", [...w.replacedInDb.keys()]))
      .execute();
  }
  const raw = database.sqlite;
  await insertMany(trx, dialect, "profile_objects", w.objectRows, OBJECT_UPSERT, raw);
  const profileRows = [];
  const fieldKeys: Insertable<ProfileKeysTable>[] = [];
  for (const [profileId, state] of w.created) {
    const leaves = deriveLeaves([...state.sources.values()], {});
    profileRows.push({
      domain_name: domainName,
      profile_id: profileId,
      fields: profileFieldsColumn.stringify(leaves),
      manual: profileManualColumn.stringify({}),
      created_at: now,
      updated_at: now,
    });
    for (const r of fieldKeyRows(domainName, profileId, leaves)) fieldKeys.push(r);
    const h = w.history[state.historyIndex];
    if (h) h.content.ChangedFields = Object.keys(leaves).sort();
  }
  await insertMany(trx, dialect, "profiles", profileRows, undefined, raw);
  const refreshed = await refreshProfiles(trx, dialect, domainName, [...w.touched.keys()], now, undefined, {
    keepAbsent: true,
  });
  for (const [profileId, r] of refreshed) {
    const h = w.history[w.touched.get(profileId)!];
    if (h) h.content.ChangedFields = r.changed;
  }
  await insertMany(trx, dialect, "profile_keys", fieldKeys.concat(w.keyRows), undefined, raw);
  for (const h of w.history) h.row.content = historyContentColumn.stringify(h.content);
  await insertMany(
    trx,
    dialect,
    "profile_history",
    w.history.map((h) => h.row),
    undefined,
    raw,
  );
  await insertMany(trx, dialect, "profile_dead_letters", w.deadLetters, undefined, raw);
}
