import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { Executor } from "../flows/executor.ts";
import type { DomainSealer } from "../profiles/domain-sealer.ts";
import { domainMatchingColumn } from "../profiles/domain-settings-columns.ts";
import type { IngestDatabase } from "../profiles/ingest-types.ts";
import { runIdentityResolutionJob } from "../profiles/matching/identity-resolution-job.ts";
import { lastOccurrence } from "../profiles/matching/job-schedule.ts";
import {
  IDENTITY_RESOLUTION_TASK,
  type IdentityResolutionService,
} from "../services/identity-resolution-service.ts";

export { IDENTITY_RESOLUTION_TASK };
/** The recurring task that starts each domain's weekly job when its JobSchedule comes round. */
export const IDENTITY_RESOLUTION_SWEEP_TASK = "identity-resolution-schedule";
/** How often the schedule is checked: a weekly job starts at most this long after its time. */
export const SWEEP_EVERY_MS = 5 * 60_000;

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
  /** Starts a job in one transaction under the domain's lock (the sweep's starts too). */
  jobs: Pick<IdentityResolutionService, "start">;
  /** The domains' data keys: the job reads sealed fields and writes sealed merges. */
  sealer?: DomainSealer;
}): { init(): Promise<void> } {
  const { db } = d.database;
  d.executor.define(IDENTITY_RESOLUTION_TASK, async (payload, context) => {
    const domain = String(payload["domain"]);
    const jobId = String(payload["jobId"]);
    try {
      const outcome = await runIdentityResolutionJob(
        d.database,
        domain,
        jobId,
        d.clock,
        context.signal,
        d.sealer,
      );
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
      // The job waiting or running is kept (start returns it); else a new one starts.
      await d.jobs.start(row.domain_name).catch((err: unknown) => {
        // A domain deleted or changed meanwhile: the others' jobs still start.
        d.logger.warn({ domain: row.domain_name, err }, "identity resolution job not started");
      });
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
  };
}
