import { sql } from "kysely";
import type { Queryable } from "../db/queryable.ts";

/** Counts of a domain that no AWS operation reports: objects per type, cross-type profiles, dead letters. */
export interface DomainCensus {
  objectsByType: Map<string, number>;
  /** Profiles holding objects of two or more object types. */
  profilesOfSeveralTypes: number;
  deadLetters: number;
}

/** One stored object: its type, key and the profile it is attached to. */
export interface ObjectPlacement {
  objectTypeName: string;
  objectKey: string;
  profileId: string;
}

/** The domain's census (the demo's summary reads it). */
export async function domainCensus(q: Queryable, domainName: string): Promise<DomainCensus> {
  const byType = await q
    .selectFrom("profile_objects")
    .select(["object_type_name", (eb) => eb.fn.countAll().as("n")])
    .where("domain_name", "=", domainName)
    .groupBy("object_type_name")
    .execute();
  const joined = await sql<{ n: number | string }>`
    select count(*) as n from (
      select profile_id from profile_objects where domain_name = ${domainName}
      group by profile_id having count(distinct object_type_name) > 1
    ) j`.execute(q);
  const dead = await q
    .selectFrom("profile_dead_letters")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("domain_name", "=", domainName)
    .executeTakeFirstOrThrow();
  return {
    objectsByType: new Map(byType.map((r) => [r.object_type_name, Number(r.n)])),
    profilesOfSeveralTypes: Number(joined.rows[0]?.n ?? 0),
    deadLetters: Number(dead.n),
  };
}

/** Every stored object of the domain with its profile (scoring identity resolution against ground truth). */
export async function objectPlacements(q: Queryable, domainName: string): Promise<ObjectPlacement[]> {
  const rows = await q
    .selectFrom("profile_objects")
    .select(["object_type_name", "object_key", "profile_id"])
    .where("domain_name", "=", domainName)
    .execute();
  return rows.map((r) => ({
    objectTypeName: r.object_type_name,
    objectKey: r.object_key,
    profileId: r.profile_id,
  }));
}

/**
 * One value of `keyName` held by a profile that holds objects of two or more types (the lowest value),
 * or undefined: a search that finds one person across several systems.
 */
export async function keyOfJoinedProfile(
  q: Queryable,
  domainName: string,
  keyName: string,
): Promise<string | undefined> {
  const r = await sql<{ key_value: string }>`
    select k.key_value from profile_keys k
    where k.domain_name = ${domainName} and k.key_name = ${keyName} and k.profile_id in (
      select profile_id from profile_objects where domain_name = ${domainName}
      group by profile_id having count(distinct object_type_name) > 1)
    order by k.key_value limit 1`.execute(q);
  return r.rows[0]?.key_value;
}
