import { type Kysely, sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { inValues } from "./bulk.ts";

/** The stored version of an object (or one this batch already wrote: `inDb` false). */
export interface StoredObject {
  profileId: string;
  sourceTimestamp: number | null;
  inDb: boolean;
}

/** The stored objects of one type among the given ProfileObjectUniqueKeys, by key. */
export async function storedObjects(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  typeName: string,
  keys: string[],
): Promise<Map<string, StoredObject>> {
  const out = new Map<string, StoredObject>();
  if (keys.length === 0) return out;
  const distinct = [...new Set(keys)];
  type Row = { object_key: string; profile_id: string; source_timestamp: number | null };
  const rows: Row[] =
    dialect === "postgres"
      ? // One primary-key probe per key, whatever the statistics say (see lookupKeyOwners).
        (
          await sql<Row>`
            select o.object_key, o.profile_id, o.source_timestamp
            from unnest(${distinct}::text[]) as k(object_key)
            cross join lateral (
              select object_key, profile_id, source_timestamp from profile_objects
              where domain_name = ${domainName} and object_type_name = ${typeName} and object_key = k.object_key
              offset 0
            ) as o`.execute(trx)
        ).rows
      : await trx
          .selectFrom("profile_objects")
          .select(["object_key", "profile_id", "source_timestamp"])
          .where("domain_name", "=", domainName)
          .where("object_type_name", "=", typeName)
          .where(inValues(dialect, "object_key", distinct))
          .execute();
  for (const r of rows)
    out.set(r.object_key, { profileId: r.profile_id, sourceTimestamp: r.source_timestamp, inDb: true });
  return out;
}
