import type { Kysely } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { chunks } from "./bulk.ts";
import { replaceFieldKeys } from "./key-index.ts";
import { changedLeaves, deriveLeaves, type FieldSource, type Leaves } from "./profile-fields.ts";

/** A profile's effective leaves before and after a refresh, and what changed. */
export interface Refreshed {
  before: Leaves;
  after: Leaves;
  changed: string[];
}

/** The field sources (objects) of the given profiles, grouped by profile. */
export async function loadSources(
  db: Kysely<Database>,
  domainName: string,
  profileIds: readonly string[],
): Promise<Map<string, FieldSource[]>> {
  const out = new Map<string, FieldSource[]>();
  for (const part of chunks(profileIds)) {
    const rows = await db
      .selectFrom("profile_objects")
      .select([
        "profile_id",
        "object_type_name",
        "object_key",
        "fields",
        "source_timestamp",
        "priority",
        "updated_at",
      ])
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .execute();
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      list.push({
        leaves: JSON.parse(r.fields) as Leaves,
        timestamp: r.source_timestamp ?? r.updated_at,
        priority: r.priority,
        updatedAt: r.updated_at,
        id: `${r.object_type_name}\u0000${r.object_key}`,
      });
      out.set(r.profile_id, list);
    }
  }
  return out;
}

/**
 * Re-derives the fields of existing profiles from their objects and manual leaves (optionally
 * replaced by `manualOverride`), writes the ones that changed and re-indexes their predefined keys.
 */
export async function refreshProfiles(
  db: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  profileIds: readonly string[],
  now: number,
  manualOverride?: ReadonlyMap<string, Leaves>,
  options: { keepAbsent?: boolean } = {},
): Promise<Map<string, Refreshed>> {
  const out = new Map<string, Refreshed>();
  if (profileIds.length === 0) return out;
  const sources = await loadSources(db, domainName, profileIds);
  const changedKeys: { profileId: string; leaves: Leaves }[] = [];
  for (const part of chunks(profileIds)) {
    const rows = await db
      .selectFrom("profiles")
      .select(["profile_id", "fields", "manual"])
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", part)
      .execute();
    for (const r of rows) {
      const before = JSON.parse(r.fields) as Leaves;
      const override = manualOverride?.get(r.profile_id);
      const manual = override ?? (JSON.parse(r.manual) as Leaves);
      const after = deriveLeaves(sources.get(r.profile_id) ?? [], manual);
      // Ingestion never clears: a leaf no source carries any more keeps its value (a replaced
      // object that omits a value); deleting an object or profile edits re-derive strictly.
      if (options.keepAbsent) {
        for (const k in before) if (!(k in after) && manual[k] !== "") after[k] = before[k]!;
      }
      const changed = changedLeaves(before, after);
      out.set(r.profile_id, { before, after, changed });
      if (changed.length === 0 && !override) continue;
      const set: { fields: string; updated_at: number; manual?: string } = {
        fields: JSON.stringify(after),
        updated_at: now,
      };
      if (override) set.manual = JSON.stringify(override);
      await db
        .updateTable("profiles")
        .set(set)
        .where("domain_name", "=", domainName)
        .where("profile_id", "=", r.profile_id)
        .execute();
      if (changed.length > 0) changedKeys.push({ profileId: r.profile_id, leaves: after });
    }
  }
  await replaceFieldKeys(db, dialect, domainName, changedKeys);
  return out;
}
