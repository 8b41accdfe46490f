import type { Clock } from "../core/clock.ts";
import { invalid, ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Executor } from "../flows/executor.ts";
import type { DomainSealer } from "../profiles/domain-sealer.ts";
import type { Domain } from "../profiles/domain-store.ts";
import { type AutoMergingPreview, previewAutoMerging } from "../profiles/matching/auto-merging-preview.ts";
import {
  activeJobId,
  getJob,
  type IdentityResolutionJob,
  insertJob,
  latestFinishedJob,
  latestFinishedJobs,
  listJobs,
  newJobId,
  storeGroupsOfOlderJob,
} from "../profiles/matching/identity-resolution-store.ts";
import { type MatchGroup, matchGroupOf } from "../profiles/matching/match-groups.ts";
import { listRuleMatches, similarByRule } from "../profiles/matching/rule-match-list.ts";
import {
  groupPageKey,
  parseGroupPageKey,
  storedGroupsPage,
} from "../profiles/matching/stored-match-groups.ts";

/** A page request: the sort key to resume after, and how many. */
export interface JobPage {
  readonly after?: string | undefined;
  readonly limit: number;
}

/** The executor task that runs one identity resolution job (defined in src/compose/identity-resolution-jobs.ts). */
export const IDENTITY_RESOLUTION_TASK = "identity-resolution-job";

export interface IdentityResolutionServiceDeps {
  readonly db: Queryable;
  /** The domain under its lock (DomainService.lockIn): starts of one domain serialize, and with DeleteDomain. */
  readonly domains: { lockIn(tx: Queryable, domainName: string): Promise<Domain> };
  readonly executor: Pick<Executor, "enqueue">;
  readonly clock: Clock;
  /** Opens the domain's sealed profile fields (the preview reads them). */
  readonly sealer?: DomainSealer;
}

/**
 * ML matching's jobs: StartIdentityResolutionJob (and the weekly schedule's start) is one transaction
 * under the domain's lock — Matching.Enabled checked, the active job looked for, the new job's row and
 * its run enqueued — so two concurrent starts find one job, and a failure leaves no PENDING job nobody
 * will run.
 */
export class IdentityResolutionService {
  constructor(private readonly d: IdentityResolutionServiceDeps) {}

  /** Starts a job for the domain now, or returns the one waiting or running: its JobId. */
  start(domainName: string): Promise<string> {
    return this.d.db.transaction().execute((tx) => this.startIn(tx, domainName));
  }

  /** `start` inside the caller's transaction. */
  async startIn(tx: Queryable, domainName: string): Promise<string> {
    const domain = await this.d.domains.lockIn(tx, domainName);
    if (domain.matching?.["Enabled"] !== true) {
      throw new ProfileflowError(
        "VALIDATION_FAILED",
        "Matching is not enabled for this domain: set Matching.Enabled with CreateDomain or UpdateDomain first",
        { member: "Matching.Enabled" },
      );
    }
    const active = await activeJobId(tx, domainName);
    if (active) return active;
    const now = this.d.clock.now();
    const jobId = newJobId(now);
    await insertJob(tx, domainName, jobId, undefined, now);
    await this.d.executor.enqueue(tx, {
      task: IDENTITY_RESOLUTION_TASK,
      payload: { domain: domainName, jobId },
      queue: `identity-resolution:${domainName}`,
    });
    return jobId;
  }

  /** A job of the domain, or undefined. */
  job(domainName: string, jobId: string): Promise<IdentityResolutionJob | undefined> {
    return getJob(this.d.db, domainName, jobId);
  }

  /** A page of the domain's jobs, newest first. */
  jobs(domainName: string, page: JobPage): Promise<{ items: IdentityResolutionJob[]; more: boolean }> {
    return listJobs(this.d.db, domainName, page);
  }

  /**
   * A finished job and a page of its groups of profiles, as GetMatches answers: the latest finished
   * job's, or — for a page key (`page.after`, groupPageKey) — the job the key names, while its groups
   * are kept (the latest or the previous finished job: finishJob drops older ones); a key of an older
   * job is refused (VALIDATION_FAILED naming NextToken). The groups stored when the job finished, read
   * by index a batch at a time, without the profiles merged or deleted since, in one read transaction
   * (REPEATABLE READ on PostgreSQL: one snapshot for the job and its groups); `total` is the number of
   * groups when the job finished; `next` the key of the next page (a page may be short, even empty,
   * when many groups were emptied by merges: storedGroupsPage). Undefined before a job finished.
   */
  async latestMatches(
    domainName: string,
    page: JobPage,
  ): Promise<
    { job: IdentityResolutionJob; items: MatchGroup[]; next: string | undefined; total: number } | undefined
  > {
    const after = page.after === undefined ? undefined : parseGroupPageKey(page.after);
    for (;;) {
      const answer = await this.d.db
        .transaction()
        .setIsolationLevel("repeatable read")
        .execute(async (tx) => {
          const kept = await latestFinishedJobs(tx, domainName, 2);
          const job = after ? kept.find((j) => j.jobId === after.jobId) : kept[0];
          if (after && !job)
            throw invalid(
              "NextToken",
              "NextToken belongs to an earlier identity resolution job whose matches are no longer kept; start again without NextToken",
            );
          if (!job) return undefined;
          if (job.matchGroups === undefined) return job.jobId;
          const { items, next } = await storedGroupsPage(tx, domainName, job.jobId, {
            after,
            limit: page.limit,
          });
          return {
            job,
            items,
            next: next ? groupPageKey(job.jobId, next) : undefined,
            total: job.matchGroups,
          };
        });
      if (typeof answer !== "string") return answer;
      // A job that finished before groups were stored (migration 0300): its groups are stored once, now.
      await storeGroupsOfOlderJob(this.d.db, domainName, answer);
    }
  }

  /** The profile's group of the latest finished job's matches (GetSimilarProfiles, ML_BASED_MATCHING). */
  groupOf(domainName: string, profileId: string): Promise<MatchGroup | undefined> {
    return this.d.db.transaction().execute(async (tx) => {
      const job = await latestFinishedJob(tx, domainName);
      return job ? matchGroupOf(tx, domainName, job.jobId, profileId) : undefined;
    });
  }

  /** GetAutoMergingPreview over the latest finished job's matches. */
  autoMergingPreview(
    domainName: string,
    settings: { consolidation?: string[][]; minScore?: number },
  ): Promise<AutoMergingPreview> {
    return this.d.db
      .transaction()
      .execute((tx) => previewAutoMerging(tx, domainName, settings, this.d.sealer));
  }

  /** ListRuleBasedMatches: a page of the unmerged rule matches' ids. */
  ruleMatches(domainName: string, page: JobPage): Promise<{ items: string[]; more: boolean }> {
    return listRuleMatches(this.d.db, domainName, page);
  }

  /** GetSimilarProfiles, RULE_BASED_MATCHING: the profiles rule matches link to the profile. */
  similarByRule(
    domainName: string,
    profileId: string,
  ): Promise<{ profileIds: string[]; matchId?: string; ruleLevel?: number }> {
    return similarByRule(this.d.db, domainName, profileId);
  }
}
