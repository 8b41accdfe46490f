import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type DomainSealer, plainSealer } from "../domain-sealer.ts";
import { profileFieldsColumn } from "../leaves-columns.ts";
import type { Leaves } from "../profile-fields.ts";
import { mlMatchDetailColumn } from "./identity-resolution-columns.ts";
import { latestFinishedJob } from "./identity-resolution-store.ts";
import { DEFAULT_MERGE_SCORE, mayMerge } from "./may-merge.ts";
import { mergeGroups, type RuleEdge } from "./rule-matcher.ts";

/** Matches a preview weighs at most: a sample, as AWS's is. */
export const PREVIEW_SAMPLE = 10_000;

/** GetAutoMergingPreview's counts. */
export interface AutoMergingPreview {
  matchesInSample: number;
  profilesInSample: number;
  profilesWillBeMerged: number;
}

/**
 * What auto-merging with these settings would do to the latest job's matches, merging nothing: a
 * sample of up to PREVIEW_SAMPLE matches (by MatchId, a hash: an arbitrary but repeatable sample) whose
 * profiles still exist, the pairs that may merge (threshold, Consolidation, the guards) grouped under
 * the veto exactly as the job groups them, and the profiles that would be merged into another.
 */
export async function previewAutoMerging(
  db: Kysely<Database>,
  domainName: string,
  settings: { consolidation?: string[][]; minScore?: number },
  sealer: DomainSealer = plainSealer,
): Promise<AutoMergingPreview> {
  const boxes = await sealer.boxesIn(db, domainName);
  const job = await latestFinishedJob(db, domainName);
  if (!job) return { matchesInSample: 0, profilesInSample: 0, profilesWillBeMerged: 0 };
  const rows = await db
    .selectFrom("ml_matches as m")
    .innerJoin("profiles as a", (j) =>
      j.onRef("a.domain_name", "=", "m.domain_name").onRef("a.profile_id", "=", "m.profile_a"),
    )
    .innerJoin("profiles as b", (j) =>
      j.onRef("b.domain_name", "=", "m.domain_name").onRef("b.profile_id", "=", "m.profile_b"),
    )
    .select(["m.profile_a", "m.profile_b", "m.score", "m.detail", "a.fields as fa", "b.fields as fb"])
    .where("m.domain_name", "=", domainName)
    .where("m.job_id", "=", job.jobId)
    .orderBy("m.match_id")
    .limit(PREVIEW_SAMPLE)
    .execute();
  const fields = new Map<string, Leaves>();
  const edges: RuleEdge[] = [];
  const threshold = settings.minScore ?? DEFAULT_MERGE_SCORE;
  for (const r of rows) {
    fields.set(r.profile_a, profileFieldsColumn.open(boxes, r.fa));
    fields.set(r.profile_b, profileFieldsColumn.open(boxes, r.fb));
    const comparison = mlMatchDetailColumn.parse(r.detail).Comparison;
    const score = Number(r.score);
    if (mayMerge({ comparison, score }, threshold, settings.consolidation))
      edges.push({ a: r.profile_a, b: r.profile_b, level: 1 - score, rule: [], values: {} });
  }
  const groups = mergeGroups(edges, fields);
  return {
    matchesInSample: rows.length,
    profilesInSample: fields.size,
    profilesWillBeMerged: groups.reduce((s, g) => s + g.members.length - 1, 0),
  };
}
