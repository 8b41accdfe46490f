import type { Linkage, ScoredPair } from "../../ingest/matching/link-records.ts";
import type { LinkageRecord } from "../../ingest/matching/linkage-record.ts";
import { inDomainTransaction } from "../domain-transaction.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import type { Leaves } from "../profile-fields.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import { chooseMain } from "./choose-main.ts";
import type { AutoMergingSettings } from "./identity-resolution-columns.ts";
import { loadProfiles } from "./load-profiles.ts";
import { agreeing, DEFAULT_MERGE_SCORE, mayMerge } from "./may-merge.ts";
import { type GroupMerge, mergeGroupsIn } from "./merge-groups.ts";
import { mergeGroups, type RuleEdge } from "./rule-matcher.ts";
import { unmergedPairs } from "./unmerged-pairs.ts";

/** Who ML merges are performed by, in history. */
export const ML_MATCHING_ACTOR = "identity-resolution-job";

/** Groups merged per transaction (the domain lock's hold). */
const MERGE_BATCH = 100;

/**
 * Merges the pairs that may merge: groups formed best score first under the veto (one first name and
 * one birth date per group, never profiles an unmerge separated), then merged MERGE_BATCH groups per
 * transaction under the domain lock. Each batch re-reads its profiles: one merged or deleted since the
 * job read it drops out, and the vetoes are checked again against the fields as they are now. A batch
 * that fails is retried group by group; the members of a group that fails on its own are `failed`.
 */
export async function mergeLinked(
  database: IngestDatabase,
  domain: SealedDomain,
  jobId: string,
  records: readonly LinkageRecord[],
  linkage: Linkage,
  settings: AutoMergingSettings,
  clock: { now(): number },
  signal?: AbortSignal,
): Promise<{ count: number; aborted: boolean; failed: string[]; error: string | undefined }> {
  const threshold = settings.MinAllowedConfidenceScoreForMerging ?? DEFAULT_MERGE_SCORE;
  const consolidation = settings.Consolidation?.MatchingAttributesList;
  const edges: RuleEdge[] = linkage.pairs
    .filter((p) => mayMerge(p, threshold, consolidation))
    .map((p) => edgeOf(records, p));
  const snapshot = new Map<string, Leaves>();
  for (const r of records) snapshot.set(r.id, leavesOf(r));
  const groups = mergeGroups(edges, snapshot);
  const conflict = {
    model: settings.ConflictResolution?.ConflictResolvingModel ?? "RECENCY",
    ...(settings.ConflictResolution?.SourceName !== undefined
      ? { sourceName: settings.ConflictResolution.SourceName }
      : {}),
  } as const;
  let count = 0;
  const failed: string[] = [];
  let error: string | undefined;
  const merge = (batch: typeof groups) => mergeBatch(database, domain, jobId, batch, conflict, clock.now());
  for (let i = 0; i < groups.length; i += MERGE_BATCH) {
    if (signal?.aborted) return { count, aborted: true, failed, error };
    const batch = groups.slice(i, i + MERGE_BATCH);
    try {
      count += await merge(batch);
    } catch {
      // One group's failure does not fail the batch's others: each is retried on its own, and the
      // profiles of a group that fails again are reported (the job ends PARTIAL_SUCCESS).
      for (const g of batch) {
        try {
          count += await merge([g]);
        } catch (e) {
          failed.push(...g.members);
          error ??= String((e as Error).message);
        }
      }
    }
  }
  return { count, aborted: false, failed, error };
}

/** Merges one batch of groups in one transaction under the domain lock; the profiles merged away. */
async function mergeBatch(
  database: IngestDatabase,
  domain: SealedDomain,
  jobId: string,
  batch: ReturnType<typeof mergeGroups>,
  conflict: Parameters<typeof chooseMain>[3],
  now: number,
): Promise<number> {
  const { domainName } = domain;
  return inDomainTransaction(database.db, database.dialect, domainName, async (trx) => {
    const ids = batch.flatMap((g) => g.members);
    const profiles = await loadProfiles(trx, database.dialect, domain, ids);
    const apart = await unmergedPairs(trx, database.dialect, domainName, [...profiles.keys()]);
    const current = new Map([...profiles].map(([id, p]) => [id, p.fields]));
    const live = batch.flatMap((g) => g.edges).filter((e) => profiles.has(e.a) && profiles.has(e.b));
    const merges: GroupMerge[] = [];
    for (const g of mergeGroups(live, current, apart)) {
      const main = await chooseMain(trx, database.dialect, domainName, conflict, g.members, profiles);
      merges.push({
        mainId: main,
        mergedIds: g.members.filter((m) => m !== main),
        cause: {
          Type: "ML_BASED_MATCHING",
          JobId: jobId,
          Links: g.edges.map((e) => ({
            ProfileIds: [e.a, e.b],
            ConfidenceScore: e.values["ConfidenceScore"] ? Number(e.values["ConfidenceScore"]) : undefined,
            AgreeingFields: e.rule,
          })),
        },
      });
    }
    await mergeGroupsIn(trx, database.dialect, domain, merges, ML_MATCHING_ACTOR, now);
    return merges.reduce((s, m) => s + m.mergedIds.length, 0);
  });
}

function edgeOf(records: readonly LinkageRecord[], p: ScoredPair): RuleEdge {
  return {
    a: records[p.a]!.id,
    b: records[p.b]!.id,
    // mergeGroups takes edges lowest level first: the best score first.
    level: 1 - p.score,
    rule: agreeing(p.comparison),
    values: { ConfidenceScore: String(p.score) },
  };
}

/** The fields the veto reads (first name, birth date), normalized already. */
function leavesOf(r: LinkageRecord): Leaves {
  return {
    ...(r.firstName ? { FirstName: r.firstName } : {}),
    ...(r.birthDate ? { BirthDate: r.birthDate } : {}),
  };
}
