import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { FlowEngine } from "../../src/flows/flow-engine.ts";
import { PostgresExecutor } from "../../src/flows/postgres/postgres-executor.ts";
import { createSinkTables, tableSink } from "../flows/harness.ts";
import { openTestDatabase, postgresAvailable, type TestDatabase } from "../helpers/test-database.ts";
import { composeScaleWorker, scaleFlows, scaleShape } from "./fixtures/scale-fixture.ts";
import {
  prng,
  sinkContent,
  spawnWorker,
  startBackfill,
  type WorkerProcess,
  waitForBackfill,
} from "./scale-helpers.ts";

const leaseMs = 1500;
let reference: TestDatabase;
let crashed: TestDatabase;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  if (!postgresAvailable) return;
  reference = await openTestDatabase("postgres");
  crashed = await openTestDatabase("postgres");
  await createSinkTables(reference);
  await createSinkTables(crashed);
});

afterAll(async () => {
  for (const w of workers) w.child.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await reference?.destroy();
  await crashed?.destroy();
});

it.skipIf(!postgresAvailable)(
  "3 worker processes, SIGKILLed at random ≥10 times and replaced, end with the store of an uninterrupted run",
  async () => {
    // The uninterrupted single-process run.
    const single = composeScaleWorker(reference, { concurrency: 6, leaseMs: 30_000, pageDelayMs: 2 });
    await single.engine.start();
    await startBackfill(single.engine);
    const refStatus = await waitForBackfill(reference, 60_000);
    await single.engine.drain();
    const expected = await sinkContent(reference);
    expect(Object.values(refStatus).every((s) => s === "Successful")).toBe(true);
    expect(expected.objects).toHaveLength(scaleShape.records * scaleShape.sources.length);

    // The same backfill on three worker processes that keep being killed.
    const url = crashed.location.databaseUrl!;
    const env = { SCALE_LEASE_MS: String(leaseMs), SCALE_PAGE_DELAY_MS: "120", SCALE_CONCURRENCY: "3" };
    for (let i = 0; i < 3; i++) workers.push(spawnWorker(url, env));
    await Promise.all(workers.map((w) => w.ready));
    const enqueuer = new FlowEngine({
      db: crashed.db,
      clock: systemClock,
      executor: new PostgresExecutor({ db: crashed.db, pool: crashed.pool!, clock: systemClock }),
      sink: tableSink,
      flows: scaleFlows().flows,
      connectors: {},
      credentials: { resolve: async () => Promise.reject(new Error("unused")) },
    });
    await startBackfill(enqueuer);
    const seed = Number(process.env["SCALE_SEED"] ?? Date.now() % 100_000);
    const random = prng(seed);
    let kills = 0;
    let midRun = 0;
    while (kills < 12) {
      await new Promise((r) => setTimeout(r, 250 + random() * 650));
      // Victims are workers that run (a booting one holds nothing); replacements boot meanwhile.
      const live = workers.filter((w) => w.isReady());
      const victim = live[Math.floor(random() * live.length)];
      if (!victim) continue;
      const leased = await crashed.db
        .selectFrom("flow_executions")
        .select("execution_id")
        .where("status", "=", "InProgress")
        .where("lease_owner", "is not", null)
        .execute();
      if (leased.length > 0) midRun++;
      victim.child.kill("SIGKILL");
      await victim.exited;
      kills++;
      workers.push(spawnWorker(url, env));
    }
    const status = await waitForBackfill(crashed, 120_000);
    console.info(`kill test: seed ${seed}, ${kills} kills, ${midRun} while executions held leases`);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(status).toEqual(refStatus);
    const got = await sinkContent(crashed);
    expect(got.objects).toEqual(expected.objects);
    // Pages commit with their checkpoint in one transaction: no record was written twice.
    expect(got.log).toEqual(expected.log);
  },
  240_000,
);
