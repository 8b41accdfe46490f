import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, inValues } from "../bulk.ts";
import { loadProfiles, type ProfileFacts } from "./load-profiles.ts";
import type { MatchPass } from "./match-pass.ts";

/**
 * The facts of the subjects and of every profile holding one of their values; holders deleted
 * meanwhile (merged away earlier in this pass) are dropped from `owners`, their values stale. Holders
 * found only through a rule of names (never merged, whatever the fields: NAMES_ONLY) are only checked
 * to exist — their fields are not read: a common name's holders are most of those read.
 */
export async function candidateProfiles(
  pass: MatchPass,
  subjects: readonly string[],
  owners: Map<string, Set<string>>,
): Promise<{ profiles: Map<string, ProfileFacts>; existing: Set<string> }> {
  const namesOnly = new Set(pass.rules.rules.filter((r) => r.namesOnly).map((r) => r.keyName));
  const everyone = new Set(subjects);
  const namedOnly = new Set<string>();
  for (const [pk, set] of owners) {
    const byName = namesOnly.has(pk.slice(0, pk.indexOf("\u0000")));
    for (const p of set) (byName ? namedOnly : everyone).add(p);
  }
  const { trx, dialect, domainName, boxes } = pass;
  const profiles = await loadProfiles(trx, dialect, { domainName, boxes }, [...everyone]);
  const existing = new Set(profiles.keys());
  const unread = [...namedOnly].filter((p) => !everyone.has(p));
  for (const id of await existingProfiles(trx, dialect, domainName, unread)) existing.add(id);
  for (const [pk, set] of owners) {
    for (const p of set) if (!existing.has(p)) set.delete(p);
    if (set.size === 0) owners.delete(pk);
  }
  return { profiles, existing };
}

/** Which of the profiles exist (ids only: nothing to open). */
async function existingProfiles(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  profileIds: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows) out.push(r.profile_id);
  }
  return out;
}
