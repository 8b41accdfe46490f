import { type Insertable, type Kysely, sql } from "kysely";
import { CompiledOnce } from "../db/compiled-once.ts";
import type { DialectName } from "../db/dialect.ts";
import type { ProfileKeysTable } from "../db/schema/profiles.ts";
import type { Database } from "../db/schema.ts";
import { type ContentType, profileKeys } from "../ingest/index.ts";
import { insertMany, inValues } from "./bulk.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { type Leaves, unflatten } from "./profile-fields.ts";

/** The map key of one (key name, normalized value) pair. */
export function pairKey(name: string, value: string): string {
  return `${name}\u0000${value}`;
}

/**
 * The pairs as `profile_keys` stores them (each value through the domain's blind index), and the way
 * back: stored pair key → the plaintext pair key, so what is found is reported by the pairs asked.
 */
export function storedPairs(
  boxes: DomainBoxes,
  pairs: ReadonlyArray<{ name: string; value: string }>,
): { pairs: { name: string; value: string }[]; plainOf: Map<string, string> } {
  const plainOf = new Map<string, string>();
  const out: { name: string; value: string }[] = [];
  for (const p of pairs) {
    const stored = { name: p.name, value: boxes.index(p.name, p.value) };
    const k = pairKey(stored.name, stored.value);
    if (plainOf.has(k)) continue;
    plainOf.set(k, pairKey(p.name, p.value));
    out.push(stored);
  }
  return { pairs: out, plainOf };
}

/** For each pair, the distinct profiles holding it (any origin); pairs nobody holds are absent. */
export async function lookupKeyOwners(
  db: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: { domainName: string; boxes: DomainBoxes },
  asked: ReadonlyArray<{ name: string; value: string }>,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (asked.length === 0) return out;
  const { pairs, plainOf } = storedPairs(boxes, asked);
  const wanted = new Set(plainOf.keys());
  let rows: { key_name: string; key_value: string; profile_id: string }[];
  if (dialect === "postgres") {
    // One index probe per wanted pair, whatever the statistics say. Before autovacuum has analyzed a
    // table that a backfill is filling, the planner believes it nearly empty and picks plans that read
    // every stored key of the key names per batch (a hash join) or every stored key per wanted value
    // (a nested loop over the unnested values): cost growing with the table, seconds per batch.
    // `offset 0` keeps the lateral subquery from being flattened into such a join.
    const distinct = [...new Map(pairs.map((p) => [pairKey(p.name, p.value), p])).values()];
    const names = distinct.map((p) => p.name);
    const values = distinct.map((p) => p.value);
    const result = await sql<{ key_name: string; key_value: string; profile_id: string }>`
      select k.key_name, k.key_value, k.profile_id
      from unnest(${names}::text[], ${values}::text[]) as p(name, value)
      cross join lateral (
        select key_name, key_value, profile_id from profile_keys
        where domain_name = ${domainName} and key_name = p.name and key_value = p.value
        offset 0
      ) as k`.execute(db);
    rows = result.rows;
  } else {
    const names = [...new Set(pairs.map((p) => p.name))];
    const values = [...new Set(pairs.map((p) => p.value))];
    rows = await db
      .selectFrom("profile_keys")
      .select(["key_name", "key_value", "profile_id"])
      .where("domain_name", "=", domainName)
      .where("key_name", "in", names)
      .where(inValues(dialect, "key_value", values))
      .execute();
  }
  addHolders(out, rows, wanted, plainOf);
  return out;
}

/**
 * Adds each row's profile to `out` under its pair, for the (stored) pairs in `wanted` only; `plainOf`
 * maps a stored pair key to the plaintext one `out` is keyed by.
 */
export function addHolders(
  out: Map<string, Set<string>>,
  rows: readonly { key_name: string; key_value: string; profile_id: string }[],
  wanted: ReadonlySet<string>,
  plainOf: ReadonlyMap<string, string>,
): void {
  for (const r of rows) {
    const stored = pairKey(r.key_name, r.key_value);
    if (!wanted.has(stored)) continue;
    const k = plainOf.get(stored) ?? stored;
    const set = out.get(k);
    if (set) set.add(r.profile_id);
    else out.set(k, new Set([r.profile_id]));
  }
}

/**
 * The predefined search keys (`_email`, `_phone`, `_fullName`, `_account`) of a profile's effective
 * fields, as `fields`-origin rows. `_profileId` is answered from the profiles table itself.
 */
export function fieldKeyRows(
  boxes: DomainBoxes,
  domainName: string,
  profileId: string,
  leaves: Leaves,
): Insertable<ProfileKeysTable>[] {
  return profileKeys(unflatten(leaves)).map((k) => ({
    domain_name: domainName,
    key_name: k.name,
    key_value: boxes.index(k.name, k.value),
    profile_id: profileId,
    origin: "fields",
    object_type_name: "",
    object_key: "",
  }));
}

/** Replaces the `fields`-origin keys of the given profiles with those of their new leaves. */
export async function replaceFieldKeys(
  db: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: { domainName: string; boxes: DomainBoxes },
  profiles: ReadonlyArray<{ profileId: string; leaves: Leaves }>,
): Promise<void> {
  if (profiles.length === 0) return;
  await db
    .deleteFrom("profile_keys")
    .where("domain_name", "=", domainName)
    .where(
      inValues(
        dialect,
        "profile_id",
        profiles.map((p) => p.profileId),
      ),
    )
    .where("origin", "=", "fields")
    .execute();
  const rows = profiles.flatMap((p) => fieldKeyRows(boxes, domainName, p.profileId, p.leaves));
  await insertMany(db, dialect, "profile_keys", rows);
}

/** Records the content type of key names (first definition wins), so searches normalize like ingestion. */
export async function registerKeyTypes(
  db: Kysely<Database>,
  domainName: string,
  types: ReadonlyMap<string, ContentType>,
): Promise<void> {
  if (types.size === 0) return;
  await db
    .insertInto("profile_key_types")
    .values(
      [...types].map(([key_name, content_type]) => ({ domain_name: domainName, key_name, content_type })),
    )
    .onConflict((oc) => oc.columns(["domain_name", "key_name"]).doNothing())
    .execute();
}

/** The content types of the key names a domain's objects have used. */
export async function keyContentTypes(
  db: Kysely<Database>,
  domainName: string,
): Promise<Map<string, ContentType>> {
  const rows = await keyTypesOf.execute(db, [domainName]);
  return new Map(rows.map((r) => [r.key_name, r.content_type]));
}

/** The domain's key types (a search by one of its own keys reads them: compiled once). */
const keyTypesOf = new CompiledOnce(1, (q, [domain]) =>
  q
    .selectFrom("profile_key_types")
    .select(["key_name", "content_type"])
    .where("domain_name", "=", domain as string),
);
