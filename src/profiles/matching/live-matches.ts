import { type Expression, expressionBuilder, type SqlBool, sql } from "kysely";
import type { Database } from "../../db/schema.ts";

/**
 * A recorded match counts only while its two profiles both exist (a pair merged or deleted since is no
 * longer a match): the condition on the match row aliased `m` (a `rule_matches` or `ml_matches` row),
 * for ListRuleBasedMatches, GetMatches and GetSimilarProfiles alike.
 */
export function bothProfilesExist(): Expression<SqlBool> {
  const eb = expressionBuilder<Database, never>();
  const exists = (side: "profile_a" | "profile_b") =>
    eb.exists(
      eb
        .selectFrom("profiles as p")
        .select(sql.lit(1).as("one"))
        .where("p.domain_name", "=", sql.ref<string>("m.domain_name"))
        .where("p.profile_id", "=", sql.ref<string>(`m.${side}`)),
    );
  return eb.and([exists("profile_a"), exists("profile_b")]);
}
