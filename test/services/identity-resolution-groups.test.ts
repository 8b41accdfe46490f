import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { isProfileflowError } from "../../src/core/errors.ts";
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
import { MAX_SCANNED_GROUPS } from "../../src/profiles/matching/stored-match-groups.ts";
import { IdentityResolutionService } from "../../src/services/identity-resolution-service.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/**
 * A job's groups are computed once, when it finishes, stored before the transaction that marks it
 * COMPLETED (which only a still-active job passes), and GetMatches (IdentityResolutionService.latestMatches)
 * reads them: the previous finished job's matches and groups stay until the next job finishes, a page
 * key names its job, and a job that finished before groups were stored has them stored on its first read.
 */
describeEachDialect("ML match groups stored when the job finishes", (dialect) => {
  let db: TestDatabase;
  let ds: ReturnType<typeof domainServices>;
  let service: IdentityResolutionService;
  const clock = new ManualClock(Date.UTC(2026, 0, 5));

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    ds = domainServices(db, clock);
    const executor = new EmbeddedExecutor({ db: db.db, clock, logger: createLogger("silent") });
    service = new IdentityResolutionService({ db: db.db, domains: ds.domains, executor, clock });
  });
  afterAll(async () => db?.destroy());

  /** A domain with these profiles. */
  const domainWith = async (D: string, ids: string[]) => {
    await ds.domainStore.create(db.db, D, { defaultExpirationDays: 365, matching: { Enabled: true } });
    const now = clock.now();
    for (let i = 0; i < ids.length; i += 500)
      await db.db
        .insertInto("profiles")
        .values(
          ids.slice(i, i + 500).map((id) => ({
            domain_name: D,
            profile_id: id,
            fields: "{}" as never,
            manual: "{}" as never,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
  };
  const pair = (a: string, b: string, score: number) => ({
    matchId: matchIdOf(a, b),
    profileA: a,
    profileB: b,
    score,
    detail: { Comparison: [] },
  });
  /** A new job (PENDING) of the domain that found these matches. */
  const job = async (D: string, matches: ReturnType<typeof pair>[]) => {
    clock.advance(1000);
    const jobId = newJobId(clock.now());
    await insertJob(db.db, D, jobId, undefined, clock.now());
    await insertMatches(db.db, dialect, D, jobId, matches);
    return jobId;
  };
  const finish = (D: string, jobId: string) =>
    finishJob(db.db, D, jobId, { status: "COMPLETED", ended_at: clock.now() });
  const rowsOf = async (D: string, table: "ml_matches" | "ml_match_groups") =>
    (await db.db.selectFrom(table).select("job_id").where("domain_name", "=", D).execute()).map(
      (r) => r.job_id,
    );
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e;
    }
    throw new Error("not refused");
  };

  it("finishing a job stores its groups with its state; the previous job's stay until the next one finishes", async () => {
    const D = "groups-store";
    await domainWith(D, ["a", "b", "c", "d", "e", "f"]);
    const first = await job(D, [pair("a", "b", 0.99)]);
    expect(await finish(D, first)).toBe(true);
    expect((await getJob(db.db, D, first))?.matchGroups).toBe(1);
    expect(await rowsOf(D, "ml_match_groups")).toEqual([first]);

    // a–b–c linked (c weaker), d–e, and f whose only match is with a profile deleted since.
    const second = await job(D, [
      pair("a", "b", 0.999),
      pair("b", "c", 0.9),
      pair("d", "e", 0.95),
      pair("f", "gone", 0.97),
    ]);
    expect(await finish(D, second)).toBe(true);
    expect(await getJob(db.db, D, second)).toMatchObject({ status: "COMPLETED", matchGroups: 2 });
    // The previous finished job's matches and groups are kept (a reader paging through them keeps its pages).
    expect(new Set(await rowsOf(D, "ml_matches"))).toEqual(new Set([first, second]));
    expect(new Set(await rowsOf(D, "ml_match_groups"))).toEqual(new Set([first, second]));

    const page = await service.latestMatches(D, { limit: 10 });
    expect(page).toMatchObject({ total: 2, next: undefined });
    expect(page?.items.map((g) => [g.profileIds, g.score])).toEqual([
      [["d", "e"], 0.95],
      [["a", "b", "c"], 0.9],
    ]);

    // A third job finishing drops the first's; the second's stay.
    const third = await job(D, [pair("d", "e", 0.96)]);
    expect(await finish(D, third)).toBe(true);
    expect(new Set(await rowsOf(D, "ml_matches"))).toEqual(new Set([second, third]));
    expect(new Set(await rowsOf(D, "ml_match_groups"))).toEqual(new Set([second, third]));
  });

  it("a page key names its job: a newer job finishing between pages leaves the listing whole; a key of a dropped job is refused", async () => {
    const D = "groups-token";
    const ids = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, "0")}`);
    await domainWith(D, ids);
    // Job 1: six pairs, all at one score.
    const pairs1 = Array.from({ length: 6 }, (_, i) => pair(ids[2 * i]!, ids[2 * i + 1]!, 0.9));
    const j1 = await job(D, pairs1);
    await finish(D, j1);
    const p1 = await service.latestMatches(D, { limit: 2 });
    expect(p1?.job.jobId).toBe(j1);
    expect(p1?.next).toBeDefined();

    // Job 2 finishes between pages (different groups): the key of job 1 still reads job 1's groups.
    const j2 = await job(D, [pair("p00", "p11", 0.99)]);
    await finish(D, j2);
    const rest: string[][] = [];
    for (let after = p1?.next; after !== undefined; ) {
      const p = await service.latestMatches(D, { after, limit: 2 });
      expect(p?.job.jobId).toBe(j1);
      rest.push(...p!.items.map((g) => g.profileIds));
      after = p?.next;
    }
    const all = [...p1!.items.map((g) => g.profileIds), ...rest];
    expect(all).toHaveLength(6);
    expect(new Set(all.map((g) => g.join())).size).toBe(6);
    // Without a key: the latest job.
    expect((await service.latestMatches(D, { limit: 2 }))?.job.jobId).toBe(j2);

    // Job 3 finishing drops job 1's groups: its key is refused, naming NextToken.
    await finish(D, await job(D, [pair("p01", "p02", 0.95)]));
    const e = await refusal(service.latestMatches(D, { after: p1!.next, limit: 2 }));
    expect(isProfileflowError(e, "VALIDATION_FAILED")).toBe(true);
    expect(e).toMatchObject({ message: expect.stringContaining("start again without NextToken") });
  });

  it("a job finished (or no longer active) is not finished again: no duplicate groups, a newer job's results untouched", async () => {
    const D = "groups-twice";
    await domainWith(D, ["a", "b", "c", "d"]);
    const older = await job(D, [pair("c", "d", 0.9)]);
    const jobId = await job(D, [pair("a", "b", 0.98), pair("c", "d", 0.97)]);
    expect(await finish(D, jobId)).toBe(true);
    expect(await finish(D, jobId)).toBe(false);
    expect(await rowsOf(D, "ml_match_groups")).toEqual([jobId, jobId]);
    expect(await getJob(db.db, D, jobId)).toMatchObject({ status: "COMPLETED", matchGroups: 2 });

    // An older job that failed meanwhile (no longer active) finishing late changes nothing.
    await updateJob(db.db, D, older, { status: "FAILED" });
    expect(await finish(D, older)).toBe(false);
    expect(await getJob(db.db, D, older)).toMatchObject({ status: "FAILED" });
    expect(await rowsOf(D, "ml_match_groups")).toEqual([jobId, jobId]);
    expect((await service.latestMatches(D, { limit: 10 }))?.items).toHaveLength(2);
  });

  it("a job whose groups cannot be stored is not COMPLETED, and the previous job's answer stays", async () => {
    const D = "groups-fail";
    await domainWith(D, ["a", "b", "c", "d"]);
    const first = await job(D, [pair("a", "b", 0.98)]);
    await finish(D, first);
    const second = await job(D, [pair("a", "b", 0.99), pair("c", "d", 0.97)]);
    // Storing the second job's groups fails (a trigger refusing its rows).
    if (dialect === "sqlite") {
      await sql`create trigger fail_groups before insert on ml_match_groups
        when new.job_id = ${sql.lit(second)} begin select raise(abort, 'storing groups failed'); end`.execute(
        db.db,
      );
    } else {
      await sql`create function fail_groups() returns trigger language plpgsql as
        $$ begin raise exception 'storing groups failed'; end $$`.execute(db.db);
      await sql`create trigger fail_groups before insert on ml_match_groups for each row
        when (new.job_id = ${sql.lit(second)}) execute function fail_groups()`.execute(db.db);
    }
    await expect(finish(D, second)).rejects.toThrow(/storing groups failed/);
    expect((await getJob(db.db, D, second))?.status).toBe("PENDING");
    expect(await rowsOf(D, "ml_match_groups")).toEqual([first]);
    const page = await service.latestMatches(D, { limit: 10 });
    expect(page?.job.jobId).toBe(first);
    expect(page?.items.map((g) => g.profileIds)).toEqual([["a", "b"]]);

    await sql`drop trigger fail_groups${sql.raw(dialect === "postgres" ? " on ml_match_groups" : "")}`.execute(
      db.db,
    );
    expect(await finish(D, second)).toBe(true);
    expect((await service.latestMatches(D, { limit: 10 }))?.items).toHaveLength(2);
  });

  it(`a request reads at most ${MAX_SCANNED_GROUPS} stored groups: past many emptied groups it answers a short page that resumes after them`, async () => {
    const D = "groups-dead";
    const dead = MAX_SCANNED_GROUPS + 10;
    const ids = Array.from({ length: dead + 5 }, (_, i) => `q${String(i).padStart(5, "0")}`);
    await domainWith(D, [...ids.map((id) => `${id}a`), ...ids.map((id) => `${id}b`)]);
    // The best `dead` groups, then five; then the best groups' profiles deleted.
    const jobId = await job(
      D,
      ids.map((id, i) => pair(`${id}a`, `${id}b`, i < dead ? 0.99 : 0.9)),
    );
    await finish(D, jobId);
    for (const side of ["a", "b"])
      await db.db
        .deleteFrom("profiles")
        .where("domain_name", "=", D)
        .where(
          "profile_id",
          "in",
          ids.slice(0, dead).map((id) => `${id}${side}`),
        )
        .execute();
    const first = await service.latestMatches(D, { limit: 3 });
    expect(first?.items).toEqual([]);
    expect(first?.next).toBeDefined();
    const second = await service.latestMatches(D, { after: first!.next, limit: 3 });
    const third = await service.latestMatches(D, { after: second!.next, limit: 3 });
    expect([second?.items.length, third?.items.length]).toEqual([3, 2]);
    // The five live groups, each once (same score: in MatchId order).
    const live = [...second!.items, ...third!.items];
    expect(live.map((g) => g.profileIds[0]).sort()).toEqual(ids.slice(dead).map((id) => `${id}a`));
    expect(live.map((g) => g.matchId)).toEqual(live.map((g) => g.matchId).sort());
    expect(third?.next).toBeUndefined();
  });

  it("a job finished before groups were stored gets them on its first read, once, however many read at once", async () => {
    const D = "groups-older";
    await domainWith(D, ["a", "b", "d", "e"]);
    const jobId = await job(D, [pair("a", "b", 0.98), pair("d", "e", 0.97)]);
    // As a job that finished before migration 0300: COMPLETED, no groups, no count.
    await updateJob(db.db, D, jobId, { status: "COMPLETED", ended_at: clock.now(), match_groups: null });
    const pages = await Promise.all([1, 2, 3].map(() => service.latestMatches(D, { limit: 1 })));
    for (const page of pages) {
      expect(page?.items.map((g) => g.profileIds)).toEqual([["a", "b"]]);
      expect(page).toMatchObject({ total: 2, next: expect.any(String) });
    }
    expect((await getJob(db.db, D, jobId))?.matchGroups).toBe(2);
    expect(await rowsOf(D, "ml_match_groups")).toEqual([jobId, jobId]);
  });
});
