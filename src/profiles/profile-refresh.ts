import { type Kysely, sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Json } from "../db/json-column.ts";
import type { Database } from "../db/schema.ts";
import { inValues, wellFormed } from "./bulk.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { replaceFieldKeys } from "./key-index.ts";
import { objectFieldsColumn, profileFieldsColumn, profileManualColumn } from "./leaves-columns.ts";
import { preferredSourceOf } from "./matching/preferred-source.ts";
import { changedLeaves, deriveLeaves, type FieldSource, type Leaves } from "./profile-fields.ts";

/** A domain and its boxes (fetched once by the operation): what it reads and writes is sealed in them. */
export interface SealedDomain {
  domainName: string;
  boxes: DomainBoxes;
}

/** A profile's effective leaves before and after a refresh, and what changed. */
export interface Refreshed {
  before: Leaves;
  after: Leaves;
  changed: string[];
}

/** The field sources (objects) of the given profiles, grouped by profile. */
export async function loadSources(
  db: Kysely<Database>,
  dialect: DialectName,
  domain: SealedDomain,
  profileIds: readonly string[],
): Promise<Map<string, FieldSource[]>> {
  const { domainName, boxes } = domain;
  const out = new Map<string, FieldSource[]>();
  if (profileIds.length === 0) return out;
  {
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
      .where(inValues(dialect, "profile_id", profileIds))
      .execute();
    // ConflictResolution SOURCE decides only between object types: read only when there are two.
    const types = new Set(rows.map((r) => r.object_type_name));
    const preferred = types.size > 1 ? await preferredSourceOf(db, domainName) : undefined;
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      list.push({
        leaves: objectFieldsColumn.open(boxes, r.fields),
        timestamp: r.source_timestamp ?? r.updated_at,
        priority: r.priority,
        updatedAt: r.updated_at,
        id: `${r.object_type_name}\u0000${r.object_key}`,
        ...(preferred !== undefined && r.object_type_name === preferred ? { preferred: true } : {}),
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
  domain: SealedDomain,
  profileIds: readonly string[],
  now: number,
  manualOverride?: ReadonlyMap<string, Leaves>,
  options: { keepAbsent?: boolean } = {},
): Promise<Map<string, Refreshed>> {
  const out = new Map<string, Refreshed>();
  if (profileIds.length === 0) return out;
  const { domainName, boxes } = domain;
  const sources = await loadSources(db, dialect, domain, profileIds);
  const changedKeys: { profileId: string; leaves: Leaves }[] = [];
  const updates: ProfileUpdate[] = [];
  const rows = await db
    .selectFrom("profiles")
    .select(["profile_id", "fields", "manual"])
    .where("domain_name", "=", domainName)
    .where(inValues(dialect, "profile_id", profileIds))
    .execute();
  for (const r of rows) {
    const before = profileFieldsColumn.open(boxes, r.fields);
    const override = manualOverride?.get(r.profile_id);
    const manual = override ?? profileManualColumn.open(boxes, r.manual);
    const after = deriveLeaves(sources.get(r.profile_id) ?? [], manual);
    // Ingestion never clears: a leaf no source carries any more keeps its value (a replaced
    // object that omits a value); deleting an object or profile edits re-derive strictly.
    if (options.keepAbsent) {
      for (const k in before) if (!(k in after) && manual[k] !== "") after[k] = before[k]!;
    }
    const changed = changedLeaves(before, after);
    out.set(r.profile_id, { before, after, changed });
    if (changed.length === 0 && !override) continue;
    updates.push({
      profile_id: r.profile_id,
      fields: profileFieldsColumn.seal(boxes, after),
      manual: override ? profileManualColumn.seal(boxes, override) : null,
    });
    if (changed.length > 0) changedKeys.push({ profileId: r.profile_id, leaves: after });
  }
  await updateProfiles(db, dialect, domainName, updates, now);
  await replaceFieldKeys(db, dialect, domain, changedKeys);
  return out;
}

/** New fields (and manual leaves, when not null) of one profile. */
interface ProfileUpdate {
  profile_id: string;
  fields: Json<"profiles.fields">;
  manual: Json<"profiles.manual"> | null;
}

/** Writes the profiles' new fields in one statement (rows as one JSON parameter). */
async function updateProfiles(
  db: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  updates: ProfileUpdate[],
  now: number,
): Promise<void> {
  if (updates.length === 0) return;
  if (!updates.every((u) => wellFormed(u))) {
    for (const u of updates) {
      await db
        .updateTable("profiles")
        .set(
          u.manual === null
            ? { fields: u.fields, updated_at: now }
            : { fields: u.fields, manual: u.manual, updated_at: now },
        )
        .where("domain_name", "=", domainName)
        .where("profile_id", "=", u.profile_id)
        .execute();
    }
    return;
  }
  const json = JSON.stringify(updates.map((u) => [u.profile_id, u.fields, u.manual]));
  if (dialect === "sqlite") {
    // Materialized first so the planner drives from the updates to the primary key, not the domain.
    await sql`with u(id, fields, manual) as materialized (select value->>0, value->>1, value->>2 from json_each(${json}))
      update profiles set fields = u.fields, manual = coalesce(u.manual, profiles.manual), updated_at = ${now}
      from u where profiles.domain_name = ${domainName} and profiles.profile_id = u.id`.execute(db);
  } else {
    await sql`update profiles as p set fields = u.value->>1, manual = coalesce(u.value->>2, p.manual), updated_at = ${now}
      from json_array_elements(${json}::json) as u(value) where p.domain_name = ${domainName} and p.profile_id = u.value->>0`.execute(
      db,
    );
  }
}
