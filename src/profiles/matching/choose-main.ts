import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import type { MatchingRules } from "../../ingest/matching/matching-rules.ts";
import { inValues } from "../bulk.ts";
import type { ProfileFacts } from "./load-profiles.ts";

/**
 * The profile a group merges into: the oldest (its id has been known longest), or under
 * ConflictResolution SOURCE the oldest holding an object of SourceName.
 */
export async function chooseMain(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  conflict: MatchingRules["conflict"],
  members: readonly string[],
  profiles: ReadonlyMap<string, ProfileFacts>,
): Promise<string> {
  let pool = [...members];
  if (conflict.model === "SOURCE" && conflict.sourceName !== undefined) {
    const rows = await trx
      .selectFrom("profile_objects")
      .select("profile_id")
      .distinct()
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", conflict.sourceName)
      .where(inValues(dialect, "profile_id", members))
      .execute();
    if (rows.length > 0) pool = rows.map((r) => r.profile_id);
  }
  pool.sort(
    (x, y) => (profiles.get(x)?.createdAt ?? 0) - (profiles.get(y)?.createdAt ?? 0) || (x < y ? -1 : 1),
  );
  return pool[0]!;
}
