import { sql } from "kysely";
import type { Json } from "../db/json-column.ts";
import type { Queryable } from "../db/queryable.ts";
import { profileKeys } from "../ingest/index.ts";
import { type DomainBoxes, type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { profileFieldsColumn } from "./leaves-columns.ts";
import { unflatten } from "./profile-fields.ts";

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
 * or undefined: a search that finds one person across several systems. In a domain whose key values
 * are blind indexes the value is read back from the profiles' (sealed) fields, so only the predefined
 * keys (`_email`, `_phone`, `_fullName`, `_account`) are answered there.
 */
export async function keyOfJoinedProfile(
  q: Queryable,
  domainName: string,
  keyName: string,
  sealer: DomainSealer = plainSealer,
): Promise<string | undefined> {
  const boxes = await sealer.boxesIn(q, domainName);
  if (boxes.blind) return predefinedKeyOfJoinedProfile(q, { domainName, boxes }, keyName);
  const r = await sql<{ key_value: string }>`
    select k.key_value from profile_keys k
    where k.domain_name = ${domainName} and k.key_name = ${keyName} and k.profile_id in (
      select profile_id from profile_objects where domain_name = ${domainName}
      group by profile_id having count(distinct object_type_name) > 1)
    order by k.key_value limit 1`.execute(q);
  return r.rows[0]?.key_value;
}

/** keyOfJoinedProfile in a domain of blind indexes: the lowest predefined key value of a joined profile. */
async function predefinedKeyOfJoinedProfile(
  q: Queryable,
  { domainName, boxes }: { domainName: string; boxes: DomainBoxes },
  keyName: string,
): Promise<string | undefined> {
  const r = await sql<{ fields: Json<"profiles.fields"> }>`
    select p.fields from profiles p
    where p.domain_name = ${domainName} and p.profile_id in (
      select profile_id from profile_objects where domain_name = ${domainName}
      group by profile_id having count(distinct object_type_name) > 1)`.execute(q);
  let lowest: string | undefined;
  for (const row of r.rows) {
    for (const k of profileKeys(unflatten(profileFieldsColumn.open(boxes, row.fields)))) {
      if (k.name === keyName && (lowest === undefined || k.value < lowest)) lowest = k.value;
    }
  }
  return lowest;
}
