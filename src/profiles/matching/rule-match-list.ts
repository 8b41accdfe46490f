import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { linkedProfileIds } from "./linked-profile-ids.ts";
import { bothProfilesExist } from "./live-matches.ts";

/**
 * ListRuleBasedMatches: the MatchIds of recorded matches whose two profiles both still exist (a match
 * whose profiles were merged or deleted since is no longer one), ordered by id, after `after`.
 */
export async function listRuleMatches(
  db: Kysely<Database>,
  domainName: string,
  page: { after?: string | undefined; limit: number },
): Promise<{ items: string[]; more: boolean }> {
  let q = db
    .selectFrom("rule_matches as m")
    .select("m.match_id")
    .where("m.domain_name", "=", domainName)
    .where(bothProfilesExist())
    // Level 0 rows are pairs an unmerge separated, not matches.
    .where("m.rule_level", ">", 0)
    .orderBy("m.match_id")
    .limit(page.limit + 1);
  if (page.after !== undefined) q = q.where("m.match_id", ">", page.after);
  const rows = await q.execute();
  return { items: rows.slice(0, page.limit).map((r) => r.match_id), more: rows.length > page.limit };
}

/**
 * GetSimilarProfiles (rule-based): the profiles a recorded, unmerged match links to `profileId` (both
 * still existing), with the lowest rule level among them and that match's id; empty when none.
 */
export async function similarByRule(
  db: Kysely<Database>,
  domainName: string,
  profileId: string,
): Promise<{ profileIds: string[]; matchId?: string; ruleLevel?: number }> {
  const rows = await db
    .selectFrom("rule_matches as m")
    .select(["m.match_id", "m.rule_level", "m.profile_a", "m.profile_b"])
    .where("m.domain_name", "=", domainName)
    .where("m.rule_level", ">", 0)
    .where((eb) => eb.or([eb("m.profile_a", "=", profileId), eb("m.profile_b", "=", profileId)]))
    .where(bothProfilesExist())
    .orderBy("m.rule_level")
    .orderBy("m.match_id")
    .execute();
  if (rows.length === 0) return { profileIds: [] };
  return {
    profileIds: linkedProfileIds(profileId, rows),
    matchId: rows[0]!.match_id,
    ruleLevel: Number(rows[0]!.rule_level),
  };
}
