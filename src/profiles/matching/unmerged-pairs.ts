import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, inValues } from "../bulk.ts";

/** Pairs of the given profiles that an unmerge separated (`rule_matches` rows of level 0), as "a\0b" with a < b. */
export async function unmergedPairs(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  profileIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(profileIds)) {
    for (const column of ["profile_a", "profile_b"] as const) {
      const rows = await trx
        .selectFrom("rule_matches")
        .select(["profile_a", "profile_b"])
        .where("domain_name", "=", domainName)
        .where(inValues(dialect, column, part))
        .where("rule_level", "=", 0)
        .execute();
      for (const r of rows) out.add(`${r.profile_a}\u0000${r.profile_b}`);
    }
  }
  return out;
}
