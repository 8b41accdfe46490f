import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { isProfileflowError } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/logger.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import type { Executor } from "../../src/flows/executor.ts";
import { IdentityResolutionService } from "../../src/services/identity-resolution-service.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { expectFaultLeavesStore, failAfter } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/**
 * StartIdentityResolutionJob is one transaction under the domain's lock: the Matching.Enabled check, the
 * active-job check, the job's row and its run. Two concurrent starts find one job; a failure after the
 * row leaves neither the row nor the run.
 */
describeEachDialect("IdentityResolutionService.start", (dialect) => {
  let db: TestDatabase;
  let executor: Executor;
  let ds: ReturnType<typeof domainServices>;
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    ds = domainServices(db, clock);
    executor = new EmbeddedExecutor({ db: db.db, clock, logger: createLogger("silent") });
  });
  afterAll(async () => db?.destroy());

  const service = (ex: Pick<Executor, "enqueue"> = executor) =>
    new IdentityResolutionService({ db: db.db, domains: ds.domains, executor: ex, clock });
  const domain = async (enabled: boolean) => {
    const name = `ir-${++n}`;
    await ds.domainStore.create(db.db, name, { defaultExpirationDays: 365, matching: { Enabled: enabled } });
    return name;
  };
  const jobsOf = (name: string) =>
    db.db.selectFrom("identity_resolution_jobs").select("job_id").where("domain_name", "=", name).execute();
  const runsOf = async (name: string) =>
    (await db.db.selectFrom("executor_jobs").selectAll().execute()).filter((j) =>
      JSON.stringify(j).includes(name),
    );

  it("stores the job and its run together; a second start returns the job waiting", async () => {
    const name = await domain(true);
    const jobId = await service().start(name);
    expect(jobId).toMatch(/^[a-f0-9]{32}$/);
    expect((await jobsOf(name)).map((j) => j.job_id)).toEqual([jobId]);
    expect(await runsOf(name)).toHaveLength(1);
    expect(await service().start(name)).toBe(jobId);
    expect(await jobsOf(name)).toHaveLength(1);
  });

  it("refuses a domain without Matching.Enabled, storing nothing", async () => {
    const name = await domain(false);
    const err = await service()
      .start(name)
      .catch((e: unknown) => e);
    expect(isProfileflowError(err) && err.code).toBe("VALIDATION_FAILED");
    expect(await jobsOf(name)).toEqual([]);
  });

  it("a fault after the job's run is enqueued leaves the store as it was", async () => {
    const name = await domain(true);
    await expectFaultLeavesStore(db, () => service(failAfter(executor, "enqueue")).start(name));
  });

  it("two concurrent starts of one domain find one job", async () => {
    const name = await domain(true);
    let entered!: () => void;
    const inEnqueue = new Promise<void>((r) => {
      entered = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The first start holds its transaction open in the middle of its writes.
    const held = service({
      enqueue: async (q, job) => {
        entered();
        await gate;
        return executor.enqueue(q, job);
      },
    });
    const first = held.start(name);
    await inEnqueue;
    const second = service().start(name);
    try {
      if (dialect === "postgres") {
        // The second waits on the domain's lock (without it, it would find no job and insert its own).
        await waitFor(
          async () => {
            const r = await sql<{ n: number }>`
              select count(*)::int as n from pg_locks
              where locktype = 'advisory' and not granted
                and database = (select oid from pg_database where datname = current_database())`.execute(
              db.db,
            );
            return (r.rows[0]?.n ?? 0) > 0;
          },
          { timeoutMs: 10_000, what: "the second start waiting on the domain's lock" },
        );
      }
    } finally {
      release(); // also when the wait fails: the held transaction ends
    }
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect(await jobsOf(name)).toHaveLength(1);
    expect(await runsOf(name)).toHaveLength(1);
  });
});
