/** Tables of rule-based matching (src/profiles/matching/). */

export interface DomainMatchingTable {
  domain_name: string;
  /** RuleBasedMatching.Status: PENDING (backfill queued), IN_PROGRESS (running), ACTIVE. */
  status: string;
  /** Bumped on every change of the settings; a backfill of an older version stops. */
  version: number;
  /** The last profile id the backfill processed; null before it starts. */
  cursor: string | null;
  /** Profiles the backfill has processed. */
  processed: number;
  updated_at: number;
}

export interface RuleMatchesTable {
  domain_name: string;
  /** A hash of the two profile ids. */
  match_id: string;
  rule_level: number;
  profile_a: string;
  profile_b: string;
  /** JSON: the agreeing values, and why the match was not merged. */
  detail: string;
  created_at: number;
}

export interface ProfileMergesTable {
  domain_name: string;
  merge_id: string;
  /** The merge's place in the domain's order of merges (1, 2, …). */
  seq: number;
  main_profile_id: string;
  /** JSON array of the profile ids joined into the main one. */
  merged_profile_ids: string;
  /** JSON: the rule and values (automatic merges) or `{Type: "MERGE_PROFILES"}`. */
  cause: string;
  performed_by: string;
  /** JSON: the joined profiles' rows and where their objects and manual keys were before. */
  before: string;
  created_at: number;
}

export interface MatchingTables {
  domain_matching: DomainMatchingTable;
  rule_matches: RuleMatchesTable;
  profile_merges: ProfileMergesTable;
}
