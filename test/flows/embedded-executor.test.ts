import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

describeEachDialect("embedded executor", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await db.destroy();
  });
  const make = (clock: ManualClock, id: string) =>
    new EmbeddedExecutor({ db: db.db, clock, workerId: id, concurrency: 4, pollIntervalMs: 5 });

  it("runs one job of a queue at a time, others in parallel, and dedupes by key", async () => {
    const clock = new ManualClock(1_000_000);
    const ex = make(clock, "q");
    const log: string[] = [];
    let live = 0;
    let peak = 0;
    ex.define("work", async (p) => {
      live++;
      peak = Math.max(peak, live);
      log.push(`start ${p["n"]}`);
      // Holds until a job of another queue runs beside it: a runner that ran one job at a time fails here.
      await waitFor(() => peak > 1, { what: "a second job running beside this one" });
      log.push(`end ${p["n"]}`);
      live--;
      return undefined;
    });
    await ex.enqueue(db.db, { task: "work", payload: { n: 1 }, queue: "A" });
    await ex.enqueue(db.db, { task: "work", payload: { n: 2 }, queue: "A" });
    await ex.enqueue(db.db, { task: "work", payload: { n: 3 }, queue: "B" });
    await ex.enqueue(db.db, { task: "work", payload: { n: 4 }, key: "k" });
    await ex.enqueue(db.db, { task: "work", payload: { n: 5 }, key: "k", keyMode: "preserve" });
    await ex.runOnce();
    expect(log.filter((l) => l.startsWith("start")).sort()).toEqual([
      "start 1",
      "start 2",
      "start 3",
      "start 4",
    ]);
    expect(log.indexOf("start 2")).toBeGreaterThan(log.indexOf("end 1"));
    expect(peak).toBeGreaterThan(1);
    expect(await db.db.selectFrom("executor_jobs").selectAll().execute()).toEqual([]);
  });

  it("retries a throwing job with exponential backoff, then keeps it as failed", async () => {
    const clock = new ManualClock(2_000_000);
    const ex = make(clock, "r");
    const attempts: number[] = [];
    ex.define("flaky", async (_p, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error(`boom ${ctx.attempt}`);
    });
    await ex.enqueue(db.db, { task: "flaky", payload: {}, retry: { maxAttempts: 3, baseMs: 1000 } });
    await ex.runOnce();
    clock.advance(999);
    await ex.runOnce();
    expect(attempts).toEqual([1]);
    clock.advance(1);
    await ex.runOnce();
    clock.advance(2000);
    await ex.runOnce();
    expect(attempts).toEqual([1, 2, 3]);
    const job = await db.db
      .selectFrom("executor_jobs")
      .selectAll()
      .where("task", "=", "flaky")
      .executeTakeFirstOrThrow();
    expect(job.failed_at).toBe(2_003_000);
    expect(job.last_error).toBe("boom 3");
  });

  it("fires a recurring schedule once per due tick, without replaying missed ticks", async () => {
    const clock = new ManualClock(10_000_000);
    const ex = make(clock, "s");
    const seen: unknown[] = [];
    ex.define("tick", async (p) => {
      seen.push(p["scheduledAt"]);
      return undefined;
    });
    await ex.schedule(db.db, {
      key: "every-min",
      task: "tick",
      payload: {},
      everyMs: 60_000,
      startAt: 10_000_000,
    });
    await ex.runOnce();
    await ex.runOnce();
    clock.advance(5 * 60_000 + 1);
    await ex.runOnce();
    await ex.unschedule(db.db, "every-min");
    clock.advance(60_000);
    await ex.runOnce();
    expect(seen).toEqual([10_000_000, 10_300_000]);
  });

  it("lets another worker take a dead worker's job once its lock expires", async () => {
    const clock = new ManualClock(20_000_000);
    const dead = make(clock, "dead");
    let release: (() => void) | undefined;
    dead.define(
      "long",
      () =>
        new Promise((r) => {
          release = () => r(undefined);
        }),
    );
    await dead.enqueue(db.db, { task: "long", payload: {}, queue: "only" });
    const hung = dead.runOnce();
    await waitFor(() => release, { what: "the dead worker to run the job" });
    const alive = make(clock, "alive");
    let ran = 0;
    alive.define("long", async () => {
      ran++;
      return undefined;
    });
    await alive.runOnce();
    expect(ran).toBe(0);
    clock.advance(30_001);
    await alive.runOnce();
    expect(ran).toBe(1);
    release?.();
    await hung;
  });
});
