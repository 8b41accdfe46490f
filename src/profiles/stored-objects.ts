import { type Kysely, sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { inValues } from "./bulk.ts";

/** The stored version of an object (or one this batch already wrote: `inDb` false). */
export interface StoredObject {
  profileId: string;
  sourceTimestamp: number | null;
  inDb: boolean;
  /** Its sealed payload, read only for an object written at or after `since` (a replay's candidates). */
  payload?: string | undefined;
}

/**
 * The stored objects of one type among the given ProfileObjectUniqueKeys, by key; with `since`, the
 * payload of those written at or after it too.
 */
export async function storedObjects(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  typeName: string,
  keys: string[],
  since?: number,
): Promise<Map<string, StoredObject>> {
  const out = new Map<string, StoredObject>();
  if (keys.length === 0) return out;
  const distinct = [...new Set(keys)];
  type Row = {
    object_key: string;
    profile_id: string;
    source_timestamp: number | null;
    recent: string | null;
  };
  // Without `since` no stored time is that late: no payload is read, and the statement stays the same.
  const after = since ?? Number.MAX_SAFE_INTEGER;
  const rows: Row[] =
    dialect === "postgres"
      ? // One primary-key probe per key, whatever the statistics say (see lookupKeyOwners).
        (
          await sql<Row>`
            select o.object_key, o.profile_id, o.source_timestamp, o.recent
            from unnest(${distinct}::text[]) as k(object_key)
            cross join lateral (
              select object_key, profile_id, source_timestamp,
                case when updated_at >= ${after} then payload end as recent
              from profile_objects
              where domain_name = ${domainName} and object_type_name = ${typeName} and object_key = k.object_key
              offset 0
            ) as o`.execute(trx)
        ).rows
      : await trx
          .selectFrom("profile_objects")
          .select(["object_key", "profile_id", "source_timestamp"])
          .select(sql<string | null>`case when updated_at >= ${after} then payload end`.as("recent"))
          .where("domain_name", "=", domainName)
          .where("object_type_name", "=", typeName)
          .where(inValues(dialect, "object_key", distinct))
          .execute();
  for (const r of rows) {
    const o: StoredObject = { profileId: r.profile_id, sourceTimestamp: r.source_timestamp, inDb: true };
    if (r.recent !== null) o.payload = r.recent;
    out.set(r.object_key, o);
  }
  return out;
}
