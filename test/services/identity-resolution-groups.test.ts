import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/core/logger.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import {
  finishJob,
  getJob,
  insertJob,
  insertMatches,
  newJobId,
  updateJob,
} from "../../src/profiles/matching/identity-resolution-store.ts";
import { matchIdOf } from "../../src/profiles/matching/match-id.ts";
import { IdentityResolutionService } from "../../src/services/identity-resolution-service.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/**
 * A job's groups are computed once, when it finishes, in the transaction that marks it COMPLETED, and
 * GetMatches (IdentityResolutionService.latestMatches) reads them: the older jobs' matches and groups go
 * then; a job that finished before groups were stored has them stored on its first read.
 */
describeEachDialect("ML match groups stored when the job finishes", (dialect) => {
  let db: TestDatabase;
  let ds: ReturnType<typeof domainServices>;
  let service: IdentityResolutionService;
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const D = "groups-store";

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    ds = domainServices(db, clock);
    const executor = new EmbeddedExecutor({ db: db.db, clock, logger: createLogger("silent") });
    service = new IdentityResolutionService({ db: db.db, domains: ds.domains, executor, clock });
    await ds.domainStore.create(db.db, D, { defaultExpirationDays: 365, matching: { Enabled: true } });
    // Six profiles: a–b–c linked (c weaker), d–e, and f whose only match is with a profile deleted since.
    const now = clock.now();
    await db.db
      .insertInto("profiles")
      .values(
        ["a", "b", "c", "d", "e", "f"].map((id) => ({
          domain_name: D,
          profile_id: id,
          fields: "{}" as never,
          manual: "{}" as never,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  });
  afterAll(async () => db?.destroy());

  const pair = (a: string, b: string, score: number) => ({
    matchId: matchIdOf(a, b),
    profileA: a,
    profileB: b,
    score,
    detail: { Comparison: [] },
  });
  const job = async (matches: ReturnType<typeof pair>[]) => {
    clock.advance(1000);
    const jobId = newJobId(clock.now());
    await insertJob(db.db, D, jobId, undefined, clock.now());
    await insertMatches(db.db, dialect, D, jobId, matches);
    return jobId;
  };
  const rowsOf = async (table: "ml_matches" | "ml_match_groups") =>
    (await db.db.selectFrom(table).select("job_id").where("domain_name", "=", D).execute()).map(
      (r) => r.job_id,
    );

  it("finishing a job stores its groups with its state and drops the older job's matches and groups", async () => {
    const first = await job([pair("a", "b", 0.99)]);
    await finishJob(db.db, D, first, { status: "COMPLETED", ended_at: clock.now() });
    expect((await getJob(db.db, D, first))?.matchGroups).toBe(1);
    expect(await rowsOf("ml_match_groups")).toEqual([first]);

    const second = await job([
      pair("a", "b", 0.999),
      pair("b", "c", 0.9),
      pair("d", "e", 0.95),
      pair("f", "gone", 0.97),
    ]);
    await finishJob(db.db, D, second, { status: "COMPLETED", ended_at: clock.now() });
    const finished = await getJob(db.db, D, second);
    expect(finished).toMatchObject({ status: "COMPLETED", matchGroups: 2 });
    // Only the newest finished job's matches and groups are kept.
    expect(new Set(await rowsOf("ml_matches"))).toEqual(new Set([second]));
    expect(new Set(await rowsOf("ml_match_groups"))).toEqual(new Set([second]));

    const page = await service.latestMatches(D, { limit: 10 });
    expect(page).toMatchObject({ total: 2, more: false });
    expect(page?.items.map((g) => [g.profileIds, g.score])).toEqual([
      [["d", "e"], 0.95],
      [["a", "b", "c"], 0.9],
    ]);
  });

  it("a job finished before groups were stored gets them on its first read, once", async () => {
    const jobId = await job([pair("a", "b", 0.98), pair("d", "e", 0.97)]);
    // As a job that finished before migration 0300: COMPLETED, no groups, no count.
    await updateJob(db.db, D, jobId, { status: "COMPLETED", ended_at: clock.now(), match_groups: null });
    const page = await service.latestMatches(D, { limit: 1 });
    expect(page?.items.map((g) => g.profileIds)).toEqual([["a", "b"]]);
    expect(page).toMatchObject({ total: 2, more: true });
    expect((await getJob(db.db, D, jobId))?.matchGroups).toBe(2);
    expect(
      await db.db
        .selectFrom("ml_match_groups")
        .select("match_id")
        .where("job_id", "=", jobId)
        .orderBy("match_id")
        .execute(),
    ).toHaveLength(2);
  });
});
