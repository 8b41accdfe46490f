import { expect, it } from "vitest";
import type { Executor } from "../../src/flows/executor.ts";
import type { TestDatabase } from "../helpers/test-database.ts";

/** One Executor adapter under the shared contract. */
export interface ExecutorUnderTest {
  /** A new executor ("process") on the shared database; `ttlMs` is how long a silent worker stays alive. */
  make(id: string, o?: { ttlMs?: number; heartbeatMs?: number }): Executor;
  /** Jobs that used up their attempts: task and last error. */
  failed(): Promise<{ task: string; lastError: string | null }[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `runOnce` until `done()` or 200 rounds; for jobs due in the near future. */
/** Polls the executor until `done` or 30 s have passed (patience for a loaded CI machine, not a timing check). */
async function runUntil(ex: Executor, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done() && Date.now() < deadline) {
    await ex.runOnce();
    if (!done()) await sleep(25);
  }
}

/** The behaviours every Executor adapter must show (real time, short delays; no timing assertions). */
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
      await sleep(40);
      log.push(`end ${p["n"]}`);
      live--;
      return undefined;
    });
    await ex.enqueue({ task: "work", payload: { n: 1 }, queue: "A" });
    await ex.enqueue({ task: "work", payload: { n: 2 }, queue: "A" });
    await ex.enqueue({ task: "work", payload: { n: 3 }, queue: "B" });
    await ex.enqueue({ task: "work", payload: { n: 4 }, key: "k" });
    await ex.enqueue({ task: "work", payload: { n: 5 }, key: "k", keyMode: "preserve" });
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
    await ex.enqueue({ task: "prio", payload: { n: "old" }, key: "rk", queue: "P", priority: 5 });
    await ex.enqueue({ task: "prio", payload: { n: "new" }, key: "rk", queue: "P", priority: 5 });
    await ex.enqueue({ task: "prio", payload: { n: "first" }, queue: "P", priority: 0 });
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
    await ex.enqueue({ task: "flaky", payload: {}, retry: { maxAttempts: 3, baseMs: 300 } });
    await ex.runOnce();
    expect(attempts).toEqual([1]);
    await runUntil(ex, () => attempts.length >= 3);
    await sleep(1300);
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
    await ex.enqueue({ task: "pause", payload: {}, key: "pause-1" });
    await ex.runOnce();
    expect(attempts).toEqual([1]);
    await runUntil(ex, () => attempts.length >= 2);
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
        await ex.enqueue({ task: "txjob", payload: { n: "kept" } }, tx);
      });
    await expect(
      db()
        .db.transaction()
        .execute(async (tx) => {
          await ex.enqueue({ task: "txjob", payload: { n: "rolled back" } }, tx);
          throw new Error("roll back");
        }),
    ).rejects.toThrow();
    await ex.runOnce();
    expect(seen).toEqual(["kept"]);
  });

  it("fires a recurring schedule once per due tick, collapsing missed ticks, and not after unschedule", async () => {
    const ex = adapter().make("s");
    const seen: number[] = [];
    ex.define("tick", async (p) => {
      seen.push(p["scheduledAt"] as number);
      return undefined;
    });
    const every = 1000;
    const start = Date.now() + 20;
    await ex.schedule({ key: "every-second", task: "tick", payload: {}, everyMs: every, startAt: start });
    await sleep(40);
    await ex.runOnce();
    await ex.runOnce();
    expect(seen).toEqual([start]);
    await sleep(3 * every + 100);
    await ex.runOnce();
    expect(seen).toHaveLength(2);
    const late = (seen[1] ?? 0) - start;
    expect(late % every).toBe(0);
    expect(late).toBeGreaterThanOrEqual(3 * every);
    await ex.unschedule("every-second");
    await sleep(every + 50);
    await ex.runOnce();
    expect(seen).toHaveLength(2);
  });

  it("lets another worker take a queue a dead worker held once the worker TTL passes", async () => {
    const dead = adapter().make("dead", { ttlMs: 1500, heartbeatMs: 3_600_000 });
    const ran: string[] = [];
    let release: (() => void) | undefined;
    // The "dead" worker hangs on job 1 and stops heartbeating; it may still pick up later jobs.
    dead.define("long", async (p) => {
      if (p["n"] === 1) await new Promise<void>((r) => (release = r));
      else ran.push(`dead:${p["n"]}`);
      return undefined;
    });
    await dead.enqueue({ task: "long", payload: { n: 1 }, queue: "only" });
    const hung = dead.runOnce();
    for (let i = 0; i < 500 && release === undefined; i++) await sleep(10);
    const alive = adapter().make("alive", { ttlMs: 1500 });
    alive.define("long", async (p) => {
      ran.push(`alive:${p["n"]}`);
      return undefined;
    });
    await alive.enqueue({ task: "long", payload: { n: 2 }, queue: "only" });
    await alive.runOnce();
    expect(ran).toEqual([]);
    await sleep(1600);
    const done = () => ran.includes("alive:1") && ran.some((r) => r.endsWith(":2"));
    await runUntil(alive, done);
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
      await sleep(30);
      sawAbort = true;
      return undefined;
    });
    ex.start();
    await ex.enqueue({ task: "drainme", payload: {} });
    await running;
    await ex.drain();
    expect(sawAbort).toBe(true);
  });
}
