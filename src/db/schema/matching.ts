/** Tables of rule-based matching (src/profiles/matching/). */
import type { Json } from "../json-column.ts";

/** RuleBasedMatching.Status: PENDING (backfill queued), IN_PROGRESS (running), ACTIVE. */
export type MatchingStatus = "PENDING" | "IN_PROGRESS" | "ACTIVE";

/** IdentityResolutionJobStatus. */
export type IdentityResolutionJobStatus =
  | "PENDING"
  | "PREPROCESSING"
  | "FIND_MATCHING"
  | "MERGING"
  | "COMPLETED"
  | "PARTIAL_SUCCESS"
  | "FAILED";

export interface DomainMatchingTable {
  domain_name: string;
  status: MatchingStatus;
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
  detail: Json<"rule_matches.detail">;
  created_at: number;
}

export interface ProfileMergesTable {
  domain_name: string;
  merge_id: string;
  /** The merge's place in the domain's order of merges (1, 2, …). */
  seq: number;
  main_profile_id: string;
  /** JSON array of the profile ids joined into the main one. */
  merged_profile_ids: Json<"profile_merges.merged_profile_ids">;
  /** JSON: the rule and values (automatic merges) or `{Type: "MERGE_PROFILES"}`. */
  cause: Json<"profile_merges.cause">;
  performed_by: string;
  /** JSON: the joined profiles' rows and where their objects and manual keys were before. */
  before: Json<"profile_merges.before">;
  created_at: number;
}

export interface MatchingTables {
  domain_matching: DomainMatchingTable;
  rule_matches: RuleMatchesTable;
  profile_merges: ProfileMergesTable;
  identity_resolution_jobs: IdentityResolutionJobsTable;
  ml_matches: MlMatchesTable;
  ml_match_groups: MlMatchGroupsTable;
}

/** An identity resolution job (ML matching): state and counts (src/profiles/matching/identity-resolution-*). */
export interface IdentityResolutionJobsTable {
  domain_name: string;
  /** 32 hex digits. */
  job_id: string;
  status: IdentityResolutionJobStatus;
  message: string | null;
  /** JSON: the AutoMerging settings the job ran with; null when it does not merge. */
  auto_merging: Json<"identity_resolution_jobs.auto_merging"> | null;
  reviewed: number;
  matches_found: number;
  merges_done: number;
  /** The groups of its matches stored when it finished (GetMatches' PotentialMatches); null before. */
  match_groups: number | null;
  /** JSON: the estimated Fellegi–Sunter model (λ, m, u), once found. */
  model: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
}

/** A pair of profiles an identity resolution job found likely to be one person. */
export interface MlMatchesTable {
  domain_name: string;
  job_id: string;
  match_id: string;
  profile_a: string;
  profile_b: string;
  /** The match probability in [0, 1]. */
  score: number;
  /** JSON: each compared field's level and weight. */
  detail: Json<"ml_matches.detail">;
}

/** A group of profiles a finished job's matches link (GetMatches' MatchItem), stored when the job finished. */
export interface MlMatchGroupsTable {
  domain_name: string;
  job_id: string;
  /** 32 hex digits from the group's sorted profile ids. */
  match_id: string;
  /** The weakest link holding the group together; pages are read by (score desc, match_id). */
  score: number;
  /** JSON array of the group's profile ids, best-linked first. */
  profile_ids: Json<"ml_match_groups.profile_ids">;
}
