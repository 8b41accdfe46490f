import type { Insertable, Kysely } from "kysely";
import type { Json } from "../db/json-column.ts";
import type {
  ProfileDeadLettersTable,
  ProfileHistoryTable,
  ProfileKeysTable,
  ProfileObjectsTable,
} from "../db/schema/profiles.ts";
import type { Database } from "../db/schema.ts";
import { insertMany, inValues } from "./bulk.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { historyContentColumn } from "./history-content-column.ts";
import { OBJECT_UPSERT } from "./ingest-rows.ts";
import type { IngestDatabase } from "./ingest-types.ts";
import { fieldKeyRows } from "./key-index.ts";
import { profileFieldsColumn, profileFieldsOfOneObject, profileManualColumn } from "./leaves-columns.ts";
import { deriveLeaves, type FieldSource } from "./profile-fields.ts";
import { refreshProfiles } from "./profile-refresh.ts";

const DEAD_LETTER_ONCE = { columns: ["domain_name", "dead_letter_id"], update: [] };

/** A profile created by this batch: its sources by object id, and the index of its last history row. */
export interface CreatedProfile {
  sources: Map<string, FieldSource>;
  historyIndex: number;
  /** While it has one source: that object's sealed fields, which are the profile's fields too. */
  oneObjectFields?: Json<"profile_objects.fields"> | undefined;
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
  /** History rows; their content is sealed when written (the change lists are filled in last). */
  history: { row: Omit<Insertable<ProfileHistoryTable>, "content">; content: Record<string, unknown> }[];
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
  at: { domainName: string; typeName: string; now: number; boxes: DomainBoxes },
  w: BatchWrites,
): Promise<void> {
  const { domainName, typeName, now, boxes } = at;
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
  // Every new profile starts with no hand-set fields: the same sealed "{}" serves the whole batch (the
  // same plaintext under the same IV gives the same text: it tells only that the manual leaves are empty).
  const noManual = w.created.size > 0 ? profileManualColumn.seal(boxes, {}) : undefined;
  for (const [profileId, state] of w.created) {
    const leaves = deriveLeaves([...state.sources.values()], {});
    // One source and no hand-set fields: the derived leaves are that object's, already sealed.
    const one = state.sources.size === 1 ? state.oneObjectFields : undefined;
    profileRows.push({
      domain_name: domainName,
      profile_id: profileId,
      fields: one ? profileFieldsOfOneObject(one) : profileFieldsColumn.seal(boxes, leaves),
      manual: noManual!,
      created_at: now,
      updated_at: now,
    });
    for (const r of fieldKeyRows(boxes, domainName, profileId, leaves)) fieldKeys.push(r);
    const h = w.history[state.historyIndex];
    if (h) h.content.ChangedFields = Object.keys(leaves).sort();
  }
  await insertMany(trx, dialect, "profiles", profileRows, undefined, raw);
  const touched = [...w.touched.keys()];
  const refreshed = await refreshProfiles(trx, dialect, { domainName, boxes }, touched, now, undefined, {
    keepAbsent: true,
  });
  for (const [profileId, r] of refreshed) {
    const h = w.history[w.touched.get(profileId)!];
    if (h) h.content.ChangedFields = r.changed;
  }
  await insertMany(trx, dialect, "profile_keys", fieldKeys.concat(w.keyRows), undefined, raw);
  const history = w.history.map((h) => ({ ...h.row, content: historyContentColumn.seal(boxes, h.content) }));
  await insertMany(trx, dialect, "profile_history", history, undefined, raw);
  // A replayed page's dead letters have the ids they had (IngestOptions.replay): kept once.
  await insertMany(trx, dialect, "profile_dead_letters", w.deadLetters, DEAD_LETTER_ONCE, raw);
}
