import { sql } from "kysely";
import { expect, it } from "vitest";
import { type Clock, ManualClock } from "../../src/core/clock.ts";
import type { Executor } from "../../src/flows/executor.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/** One Executor adapter under the shared contract. */
export interface ExecutorUnderTest {
  /**
   * A new executor ("process") on the shared database; `ttlMs` is how long a silent worker stays alive;
   * `clock` is the injected clock (default the wall clock).
   */
  make(id: string, o?: { ttlMs?: number; heartbeatMs?: number; clock?: Clock }): Executor;
  /** Jobs that used up their attempts: task and last error. */
  failed(): Promise<{ task: string; lastError: string | null }[]>;
}

/** Runs `runOnce` until `done()` holds; fails after 30 s (patience for a loaded CI machine, not a timing check). */
async function runUntil(ex: Executor, done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitFor(
    async () => {
      await ex.runOnce();
      return done();
    },
    { intervalMs: 25, what },
  );
}

/**
 * A clock for the tests that move time (schedules, worker TTL). It starts an hour back, so the jobs it
 * stamps are already due for a queue that compares run-at with the database's own clock (graphile-worker).
 */
const pastClock = () => new ManualClock(Date.now() - 3_600_000);

/**
 * The behaviours every Executor adapter must show. Schedules and worker TTL move on the injected clock;
 * retries and reruns are due on the queue's clock (the database's, for graphile-worker), so those tests
 * poll for the outcome. No sleeps, no timing assertions.
 */
export function executorContract(db: () => TestDatabase, adapter: () => ExecutorUnderTest): void {
  it("runs one job of a queue at a time, others in parallel, and dedupes by key", async () => {
    const ex = adapter().make("q");
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
    await ex.enqueue(db().db, { task: "work", payload: { n: 1 }, queue: "A" });
    await ex.enqueue(db().db, { task: "work", payload: { n: 2 }, queue: "A" });
    await ex.enqueue(db().db, { task: "work", payload: { n: 3 }, queue: "B" });
    await ex.enqueue(db().db, { task: "work", payload: { n: 4 }, key: "k" });
    await ex.enqueue(db().db, { task: "work", payload: { n: 5 }, key: "k", keyMode: "preserve" });
    await ex.runOnce();
    expect(log.filter((l) => l.startsWith("start")).sort()).toEqual([
      "start 1",
      "start 2",
      "start 3",
      "start 4",
    ]);
    expect(log.indexOf("start 2")).toBeGreaterThan(log.indexOf("end 1"));
    expect(peak).toBeGreaterThan(1);
  });

  it("replaces a waiting job's payload by key, and runs lower priority numbers first", async () => {
    const ex = adapter().make("p");
    const seen: unknown[] = [];
    ex.define("prio", async (p) => {
      seen.push(p["n"]);
      return undefined;
    });
    await ex.enqueue(db().db, { task: "prio", payload: { n: "old" }, key: "rk", queue: "P", priority: 5 });
    await ex.enqueue(db().db, { task: "prio", payload: { n: "new" }, key: "rk", queue: "P", priority: 5 });
    await ex.enqueue(db().db, { task: "prio", payload: { n: "first" }, queue: "P", priority: 0 });
    await ex.runOnce();
    expect(seen).toEqual(["first", "new"]);
  });

  it("retries a throwing job with exponential backoff, then keeps it as failed", async () => {
    const ex = adapter().make("r");
    const attempts: number[] = [];
    ex.define("flaky", async (_p, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error(`boom ${ctx.attempt}`);
    });
    await ex.enqueue(db().db, { task: "flaky", payload: {}, retry: { maxAttempts: 3, baseMs: 300 } });
    await ex.runOnce();
    expect(attempts).toEqual([1]);
    const failed = async () => (await adapter().failed()).some((f) => f.task === "flaky");
    await runUntil(ex, failed, "the job to be kept as failed");
    expect(attempts).toEqual([1, 2, 3]);
    // Kept as failed: nothing of it is left to run.
    await ex.runOnce();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await adapter().failed()).toContainEqual({ task: "flaky", lastError: "boom 3" });
  });

  it("reruns a job at the time it asks for without using an attempt", async () => {
    const ex = adapter().make("w");
    const attempts: number[] = [];
    ex.define("pause", async (_p, ctx) => {
      attempts.push(ctx.attempt);
      return attempts.length === 1 ? { rerunAt: Date.now() + 300 } : undefined;
    });
    await ex.enqueue(db().db, { task: "pause", payload: {}, key: "pause-1" });
    await ex.runOnce();
    expect(attempts).toEqual([1]);
    await runUntil(ex, () => attempts.length >= 2, "the rerun");
    expect(attempts).toEqual([1, 1]);
  });

  it("adds a job only when the transaction that needs it commits", async () => {
    const ex = adapter().make("t");
    const seen: unknown[] = [];
    ex.define("txjob", async (p) => {
      seen.push(p["n"]);
      return undefined;
    });
    await db()
      .db.transaction()
      .execute(async (tx) => {
        await ex.enqueue(tx, { task: "txjob", payload: { n: "kept" } });
      });
    await expect(
      db()
        .db.transaction()
        .execute(async (tx) => {
          await ex.enqueue(tx, { task: "txjob", payload: { n: "rolled back" } });
          throw new Error("roll back");
        }),
    ).rejects.toThrow();
    await ex.runOnce();
    expect(seen).toEqual(["kept"]);
  });

  it("fires a recurring schedule once per due tick, collapsing missed ticks, and not after unschedule", async () => {
    const clock = pastClock();
    const ex = adapter().make("s", { clock });
    const seen: number[] = [];
    ex.define("tick", async (p) => {
      seen.push(p["scheduledAt"] as number);
      return undefined;
    });
    const every = 60_000;
    const start = clock.now() + 20;
    await ex.schedule(db().db, {
      key: "every-minute",
      task: "tick",
      payload: {},
      everyMs: every,
      startAt: start,
    });
    try {
      await ex.runOnce();
      expect(seen).toEqual([]);
      clock.advance(40);
      await ex.runOnce();
      await ex.runOnce();
      expect(seen).toEqual([start]);
      clock.advance(3 * every + 100);
      await ex.runOnce();
      expect(seen).toHaveLength(2);
      // The three missed ticks collapse into the latest one.
      expect((seen[1] ?? 0) - start).toBe(3 * every);
    } finally {
      await ex.unschedule(db().db, "every-minute");
    }
    clock.advance(every + 50);
    await ex.runOnce();
    expect(seen).toHaveLength(2);
  });

  it("lets another worker take a queue a dead worker held once the worker TTL passes", async () => {
    const clock = pastClock();
    const dead = adapter().make("dead", { ttlMs: 1500, heartbeatMs: 3_600_000, clock });
    const ran: string[] = [];
    let release: (() => void) | undefined;
    // The "dead" worker hangs in its first run of job 1 and stops heartbeating. Its process is not really
    // gone, so it may still fetch jobs (graphile-worker's pool keeps polling): a later run of job 1 there
    // counts as the job being taken again, as it would be by another process.
    dead.define("long", async (p) => {
      if (p["n"] === 1 && release === undefined) await new Promise<void>((r) => (release = r));
      else ran.push(`dead:${p["n"]}`);
      return undefined;
    });
    await dead.enqueue(db().db, { task: "long", payload: { n: 1 }, queue: "only" });
    const hung = dead.runOnce();
    await waitFor(() => release, { what: "the dead worker to run job 1" });
    const alive = adapter().make("alive", { ttlMs: 1500, clock });
    alive.define("long", async (p) => {
      ran.push(`alive:${p["n"]}`);
      return undefined;
    });
    await alive.enqueue(db().db, { task: "long", payload: { n: 2 }, queue: "only" });
    await alive.runOnce();
    expect(ran).toEqual([]);
    clock.advance(1600);
    const done = () => ran.some((r) => r.endsWith(":1")) && ran.some((r) => r.endsWith(":2"));
    await runUntil(alive, done, "the live worker to take the dead worker's queue");
    expect(done()).toBe(true);
    release?.();
    await hung;
  });

  it("drain aborts the running handler's signal and waits for it to return", async () => {
    const ex = adapter().make("d");
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let sawAbort = false;
    ex.define("drainme", async (_p, ctx) => {
      started();
      await new Promise<void>((r) => ctx.signal.addEventListener("abort", () => r()));
      // The rest of its unit of work: a database round trip that drain must wait for.
      await sql`select 1`.execute(db().db);
      sawAbort = true;
      return undefined;
    });
    ex.start();
    await ex.enqueue(db().db, { task: "drainme", payload: {} });
    await running;
    await ex.drain();
    expect(sawAbort).toBe(true);
  });
}
