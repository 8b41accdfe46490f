import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Executor } from "../flows/executor.ts";
import { domainMatchingColumn } from "../profiles/domain-settings-columns.ts";
import type { IngestDatabase } from "../profiles/ingest-types.ts";
import { runIdentityResolutionJob } from "../profiles/matching/identity-resolution-job.ts";
import { hasActiveJob, insertJob, newJobId } from "../profiles/matching/identity-resolution-store.ts";
import { type JobSchedule, lastOccurrence } from "../profiles/matching/job-schedule.ts";

/** The executor task that runs one identity resolution job. */
export const IDENTITY_RESOLUTION_TASK = "identity-resolution-job";
/** The recurring task that starts each domain's weekly job when its JobSchedule comes round. */
export const IDENTITY_RESOLUTION_SWEEP_TASK = "identity-resolution-schedule";
/** How often the schedule is checked: a weekly job starts at most this long after its time. */
export const SWEEP_EVERY_MS = 5 * 60_000;

/** What the API needs of identity resolution jobs (the on-demand start). */
export interface IdentityResolutionPort {
  /** Queues a job for the domain now (or returns the one waiting or running); its JobId. */
  startJob(domainName: string): Promise<string>;
}

/**
 * Wires ML matching's jobs into the executor: one task runs a job (its reads in pages, its merges in
 * short transactions, so ingestion interleaves; a drain sends the job back to PENDING and runs it
 * again), and a recurring sweep every SWEEP_EVERY_MS starts the job of each domain with
 * `Matching.Enabled` whose JobSchedule time has come since its last job and its last settings change.
 */
export function composeIdentityResolution(d: {
  database: IngestDatabase;
  executor: Executor;
  clock: Clock;
  logger: Logger;
}): IdentityResolutionPort & { init(): Promise<void> } {
  const { db } = d.database;
  const enqueue = async (domainName: string): Promise<string> => {
    const active = await db
      .selectFrom("identity_resolution_jobs")
      .select("job_id")
      .where("domain_name", "=", domainName)
      .where("status", "in", ["PENDING", "PREPROCESSING", "FIND_MATCHING", "MERGING"])
      .orderBy("job_id", "desc")
      .executeTakeFirst();
    if (active) return active.job_id;
    const now = d.clock.now();
    const jobId = newJobId(now);
    // The job's row and its run commit together: never a PENDING job nobody will run.
    await db.transaction().execute(async (tx) => {
      await insertJob(tx, domainName, jobId, undefined, now);
      await d.executor.enqueue(tx, {
        task: IDENTITY_RESOLUTION_TASK,
        payload: { domain: domainName, jobId },
        queue: `identity-resolution:${domainName}`,
      });
    });
    return jobId;
  };
  d.executor.define(IDENTITY_RESOLUTION_TASK, async (payload, context) => {
    const domain = String(payload["domain"]);
    const jobId = String(payload["jobId"]);
    try {
      const outcome = await runIdentityResolutionJob(d.database, domain, jobId, d.clock, context.signal);
      if (outcome === "aborted") return { rerunAt: d.clock.now() };
      d.logger.info({ domain, jobId }, "identity resolution job finished");
    } catch (error) {
      // The job is FAILED with its message (GetIdentityResolutionJob); a retry would not change that.
      d.logger.error({ domain, jobId, err: error }, "identity resolution job failed");
    }
    return undefined;
  });
  d.executor.define(IDENTITY_RESOLUTION_SWEEP_TASK, async () => {
    const now = d.clock.now();
    const domains = await db
      .selectFrom("domains")
      .select(["domain_name", "matching", "updated_at"])
      .where("matching", "is not", null)
      .execute();
    for (const row of domains) {
      const matching = row.matching === null ? {} : domainMatchingColumn.parse(row.matching);
      if (matching.Enabled !== true) continue;
      const due = lastOccurrence(matching.JobSchedule, now);
      if (due <= Number(row.updated_at)) continue;
      const last = await db
        .selectFrom("identity_resolution_jobs")
        .select("created_at")
        .where("domain_name", "=", row.domain_name)
        .orderBy("job_id", "desc")
        .executeTakeFirst();
      if (last && Number(last.created_at) >= due) continue;
      if (await hasActiveJob(db, row.domain_name)) continue;
      await enqueue(row.domain_name);
    }
    return undefined;
  });
  return {
    init: () =>
      d.executor.schedule(db, {
        key: IDENTITY_RESOLUTION_SWEEP_TASK,
        task: IDENTITY_RESOLUTION_SWEEP_TASK,
        payload: {},
        everyMs: SWEEP_EVERY_MS,
        startAt: d.clock.now(),
      }),
    startJob: async (domainName) => {
      const row = await db
        .selectFrom("domains")
        .select("matching")
        .where("domain_name", "=", domainName)
        .executeTakeFirst();
      const matching = row?.matching ? domainMatchingColumn.parse(row.matching) : undefined;
      if (matching?.Enabled !== true) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "Matching is not enabled for this domain: set Matching.Enabled with CreateDomain or UpdateDomain first",
          { member: "Matching.Enabled" },
        );
      }
      return enqueue(domainName);
    },
  };
}
