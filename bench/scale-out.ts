// Backfill records/s with 1, 2 and 4 `worker` processes on PostgreSQL, and each worker's peak RSS.
// Run: npx tsx bench/scale-out.ts   (needs the test PostgreSQL; SCALE_RECORDS / SCALE_STEPS size the run)
import { cpus, loadavg } from "node:os";

// The fixture reads its size from the environment when it loads: set it before the imports below.
process.env["SCALE_RECORDS"] ??= "3000";
process.env["SCALE_STEPS"] ??= "8";
const { systemClock } = await import("../src/core/clock.ts");
const { openDatabase } = await import("../src/db/database.ts");
const { FlowEngine } = await import("../src/flows/flow-engine.ts");
const { PostgresExecutor } = await import("../src/flows/postgres/postgres-executor.ts");
const { createSinkTables, tableSink } = await import("../test/flows/harness.ts");
const { createPostgresDatabase } = await import("../test/helpers/test-database.ts");
const { scaleFlows, scaleShape } = await import("../test/scale/fixtures/scale-fixture.ts");
const { spawnWorker, startBackfill, waitForBackfill } = await import("../test/scale/scale-helpers.ts");

async function run(workers: number): Promise<{ recordsPerSec: number; rssMb: number[] }> {
  const { url, drop } = await createPostgresDatabase();
  const handle = await openDatabase({ databaseUrl: url, poolSize: 4 });
  try {
    await createSinkTables({ ...handle, location: { databaseUrl: url }, destroy: async () => {} });
    const executor = new PostgresExecutor({ db: handle.db, pool: handle.pool!, clock: systemClock });
    await executor.migrate();
    const env = { SCALE_LEASE_MS: "30000", SCALE_PAGE_DELAY_MS: "0", SCALE_CONCURRENCY: "3" };
    const procs = Array.from({ length: workers }, () => spawnWorker(url, env));
    await Promise.all(procs.map((p) => p.ready));
    const rss = procs.map((p) => {
      let out = "";
      p.child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
      });
      return () => Number(/maxrss (\d+)/.exec(out)?.[1] ?? 0) / 1024;
    });
    const engine = new FlowEngine({
      db: handle.db,
      clock: systemClock,
      executor,
      sink: tableSink,
      flows: scaleFlows().flows,
      connectors: {},
      credentials: { resolve: async () => Promise.reject(new Error("unused")) },
    });
    const t0 = performance.now();
    await startBackfill(engine);
    const status = await waitForBackfill(handle, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    if (!Object.values(status).every((s) => s === "Successful"))
      throw new Error(`backfill failed: ${JSON.stringify(status)}`);
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
    const records = scaleShape.records * scaleShape.sources.length;
    return { recordsPerSec: records / seconds, rssMb: rss.map((r) => Math.round(r())) };
  } finally {
    await handle.close();
    await drop();
  }
}

const lines = [
  `scale-out backfill: ${scaleShape.records * scaleShape.sources.length} records, ${scaleShape.sources.length * scaleShape.steps} window steps, fake source (no page delay), test sink, at most 3 executions per source instance; ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}`,
];
for (const n of [1, 2, 4]) {
  const r = await run(n);
  lines.push(
    `${n} worker(s) × concurrency 3: ${Math.round(r.recordsPerSec)} records/s; peak RSS per worker ${r.rssMb.join(", ")} MB`,
  );
  console.log(lines.at(-1));
}
console.log(lines.join("\n"));
