import { type Kysely, sql } from "kysely";
import type { Clock } from "../core/clock.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { deleteObjectKeys } from "./profile-objects.ts";
import { refreshProfiles } from "./profile-refresh.ts";

const DOMAIN_TABLES = [
  "profile_keys",
  "profile_objects",
  "profiles",
  "profile_key_types",
  "profile_history",
  "profile_dead_letters",
] as const;

/** DeleteDomain hook: removes everything the domain's profiles hold (runs in the caller's transaction). */
export async function deleteDomainProfiles(trx: Kysely<Database>, domainName: string): Promise<void> {
  for (const table of DOMAIN_TABLES)
    await trx.deleteFrom(table).where("domain_name", "=", domainName).execute();
}

/**
 * DeleteProfileObjectType hook: removes the type's objects and their keys, and re-derives the fields
 * of the profiles they fed (runs in the caller's transaction).
 */
export function deleteObjectTypeObjects(dialect: DialectName, clock: Clock) {
  return async (trx: Kysely<Database>, domainName: string, objectTypeName: string): Promise<void> => {
    const rows = await trx
      .selectFrom("profile_objects")
      .select(["object_key", "profile_id"])
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .execute();
    if (rows.length === 0) return;
    await deleteObjectKeys(
      trx,
      dialect,
      domainName,
      objectTypeName,
      rows.map((r) => r.object_key),
    );
    await trx
      .deleteFrom("profile_objects")
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .execute();
    const profiles = [...new Set(rows.map((r) => r.profile_id))];
    await refreshProfiles(trx, dialect, domainName, profiles, clock.now());
  };
}

/** GetDomain Stats contribution: profiles, objects and their stored size in bytes (approximate). */
export function profileStats(db: Kysely<Database>) {
  return async (domainName: string) => {
    const p = await db
      .selectFrom("profiles")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("domain_name", "=", domainName)
      .executeTakeFirstOrThrow();
    const o = await db
      .selectFrom("profile_objects")
      .select((eb) => [eb.fn.countAll().as("n"), sql<number>`coalesce(sum(length(payload)), 0)`.as("size")])
      .where("domain_name", "=", domainName)
      .executeTakeFirstOrThrow();
    const profiles = Number(p.n);
    return {
      ProfileCount: profiles,
      MeteringProfileCount: profiles,
      ObjectCount: Number(o.n),
      TotalSize: Number(o.size),
    };
  };
}
