import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Executor } from "../flows/executor.ts";
import type { Domain } from "../profiles/domain-store.ts";
import { activeJobId, insertJob, newJobId } from "../profiles/matching/identity-resolution-store.ts";

/** The executor task that runs one identity resolution job (defined in src/compose/identity-resolution-jobs.ts). */
export const IDENTITY_RESOLUTION_TASK = "identity-resolution-job";

export interface IdentityResolutionServiceDeps {
  readonly db: Queryable;
  /** The domain under its lock (DomainService.lockIn): starts of one domain serialize, and with DeleteDomain. */
  readonly domains: { lockIn(tx: Queryable, domainName: string): Promise<Domain> };
  readonly executor: Pick<Executor, "enqueue">;
  readonly clock: Clock;
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
}
