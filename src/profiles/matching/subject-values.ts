import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { type MatchingRules, type MatchValue, matchValues } from "../../ingest/matching/matching-rules.ts";
import { chunks, inValues } from "../bulk.ts";
import { objectFieldsColumn } from "../leaves-columns.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import type { KnownValues, MatchPass } from "./match-pass.ts";

/** The subjects' matching values: read, except those the caller already knows (`given`). */
export async function subjectValues(
  pass: MatchPass,
  subjects: readonly string[],
  given: ReadonlyMap<string, MatchValue[]> | undefined,
): Promise<Map<string, MatchValue[]>> {
  const unknown = subjects.filter((id) => !given?.has(id));
  const { domainName, boxes } = pass;
  const values = await loadValues(
    pass.trx,
    pass.dialect,
    { domainName, boxes },
    pass.rules,
    unknown,
    pass.known,
  );
  for (const id of subjects) {
    const v = given?.get(id);
    if (v) values.set(id, v);
  }
  return values;
}

/**
 * The profiles' matching values: their `_m.*` key rows, or — in a domain whose key values are blind
 * indexes, which cannot be read back — the same values computed again from their objects' (sealed)
 * fields, as the rows were written (ingestion and the backfill store `matchValues` of each object).
 */
async function loadValues(
  trx: Kysely<Database>,
  dialect: DialectName,
  domain: SealedDomain,
  rules: MatchingRules,
  profileIds: readonly string[],
  known: KnownValues,
): Promise<Map<string, MatchValue[]>> {
  const { domainName, boxes } = domain;
  if (boxes.blind) return valuesFromObjects(trx, dialect, domain, rules, profileIds, known);
  const out = new Map<string, MatchValue[]>();
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profile_keys")
      .select(["profile_id", "key_name", "key_value"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .where("key_name", "in", rules.keyNames)
      .execute();
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      list.push({ keyName: r.key_name, value: r.key_value });
      out.set(r.profile_id, list);
    }
  }
  return out;
}

/**
 * The matching values of the profiles' objects, computed from their fields — except those of the
 * objects the calling batch wrote, whose values it computed from the same fields.
 */
async function valuesFromObjects(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  rules: MatchingRules,
  profileIds: readonly string[],
  known: KnownValues,
): Promise<Map<string, MatchValue[]>> {
  const out = new Map<string, MatchValue[]>();
  const mine = known.objects;
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profile_objects")
      .select(["profile_id", "object_type_name", "object_key", "fields"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      const given = r.object_type_name === mine?.typeName ? mine.values.get(r.object_key) : undefined;
      for (const v of given ?? matchValues(rules, objectFieldsColumn.open(boxes, r.fields))) list.push(v);
      out.set(r.profile_id, list);
    }
  }
  return out;
}
