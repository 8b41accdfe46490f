import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { type CompiledObjectType, wellFormedText } from "../ingest/index.ts";
import { chunks, insertMany } from "./bulk.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { profileManualColumn } from "./leaves-columns.ts";
import { historyRow } from "./profile-history.ts";
import { deleteObjectKeys } from "./profile-objects.ts";
import { refreshProfiles } from "./profile-refresh.ts";

/** A record deleted at the source: its id, and the record itself when the vendor sends it. */
export interface SourceDeletion {
  id: string;
  data?: unknown;
}

/** The object key a deleted record had: its UNIQUE key's value as mapping computes it, else its id. */
function objectKeyFor(compiled: CompiledObjectType, d: SourceDeletion): string {
  let value: string | undefined;
  if (d.data !== undefined && d.data !== null) {
    const m = compiled.map(d.data);
    if (m.ok && m.uniqueKey) value = m.uniqueKey.value;
  }
  value ??= wellFormedText(String(d.id)).trim();
  return value.length <= 255 ? value : `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

/**
 * Removes the objects of records deleted at the source, the keys they alone provided, recomputes
 * their profiles, and deletes profiles left with no objects, no manual fields and no manual keys.
 */
export async function deleteSourceObjects(
  trx: Kysely<Database>,
  dialect: DialectName,
  now: number,
  o: {
    domainName: string;
    /** The domain's boxes: fields and history are sealed in them. */
    boxes: DomainBoxes;
    objectTypeName: string;
    compiled: CompiledObjectType;
    deletions: readonly SourceDeletion[];
    performedBy: string;
  },
): Promise<number> {
  const { domainName, objectTypeName } = o;
  const keys = [...new Set(o.deletions.map((d) => objectKeyFor(o.compiled, d)))];
  const owners = new Map<string, string>();
  for (const part of chunks(keys)) {
    const rows = await trx
      .selectFrom("profile_objects")
      .select(["object_key", "profile_id"])
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .where("object_key", "in", part)
      .execute();
    for (const r of rows) owners.set(r.object_key, r.profile_id);
  }
  const found = [...owners.keys()];
  if (found.length === 0) return 0;
  for (const part of chunks(found)) {
    await trx
      .deleteFrom("profile_objects")
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .where("object_key", "in", part)
      .execute();
  }
  await deleteObjectKeys(trx, dialect, domainName, objectTypeName, found, [...owners.values()]);
  const profileIds = [...new Set(owners.values())];
  const refreshed = await refreshProfiles(trx, dialect, { domainName, boxes: o.boxes }, profileIds, now);
  const history = found.map((key) =>
    historyRow(
      o.boxes,
      domainName,
      {
        profileId: owners.get(key)!,
        objectTypeName,
        actionType: "INGESTED",
        profileObjectUniqueKey: key,
        performedBy: o.performedBy,
        content: { DeletedAtSource: true, ChangedFields: refreshed.get(owners.get(key)!)?.changed ?? [] },
      },
      now,
    ),
  );
  // One JSON parameter (insertMany): 5,000 rows of 9 columns bound one by one passed SQLite's 32,766.
  await insertMany(trx, dialect, "profile_history", history);
  await deleteEmptyProfiles(trx, o.boxes, domainName, profileIds);
  return found.length;
}

/** Deletes the profiles of `ids` that have no objects left and nothing entered by hand. */
async function deleteEmptyProfiles(
  trx: Kysely<Database>,
  boxes: DomainBoxes,
  domainName: string,
  ids: readonly string[],
): Promise<void> {
  for (const part of chunks(ids)) {
    const empty = await trx
      .selectFrom("profiles as p")
      .select(["p.profile_id", "p.manual"])
      .where("p.domain_name", "=", domainName)
      .where("p.profile_id", "in", part)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("profile_objects as o")
              .select("o.object_key")
              .whereRef("o.domain_name", "=", "p.domain_name")
              .whereRef("o.profile_id", "=", "p.profile_id"),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("profile_keys as k")
              .select("k.key_value")
              .whereRef("k.domain_name", "=", "p.domain_name")
              .whereRef("k.profile_id", "=", "p.profile_id")
              .where("k.origin", "=", "manual"),
          ),
        ),
      )
      .execute();
    // Sealed manual leaves differ per write (a random IV each): whether any were entered is read opened.
    const gone = empty
      .filter((r) => Object.keys(profileManualColumn.open(boxes, r.manual)).length === 0)
      .map((r) => r.profile_id);
    if (gone.length === 0) continue;
    await trx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", gone)
      .execute();
    await trx
      .deleteFrom("profiles")
      .where("domain_name", "=", domainName)
      .where("profile_id", "in", gone)
      .execute();
  }
}
