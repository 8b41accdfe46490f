import { afterAll, beforeAll, expect, it } from "vitest";
import type { ConnectorSpec } from "../../src/connectors/sdk/index.ts";
import { systemTimer } from "../../src/connectors/sdk/index.ts";
import { servicenow } from "../../src/connectors/servicenow/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { FlowEngine } from "../../src/flows/flow-engine.ts";
import { InstanceLimits } from "../../src/flows/instance-limits/instance-limits.ts";
import { PostgresExecutor } from "../../src/flows/postgres/postgres-executor.ts";
import type { RecordSink } from "../../src/flows/record-sink.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { createSinkTables, MemoryFlows, tableSink } from "../flows/harness.ts";
import { openTestDatabase, postgresAvailable, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

let db: TestDatabase;
let sb: ServiceNowSandbox;

beforeAll(async () => {
  if (!postgresAvailable) return;
  db = await openTestDatabase("postgres");
  await createSinkTables(db);
  // One sandbox hour passes every real second: its hourly limit of 10 requests is 10 requests a second.
  sb = await startServiceNowSandbox({ seed: 11, people: 2000, clock: { speed: 3600 }, rateLimitPerHour: 10 });
});

afterAll(async () => {
  await sb?.close();
  await db?.destroy();
});

/** ServiceNow with small pages, so a read makes many requests. */
const smallPages: ConnectorSpec = {
  ...servicenow,
  open: (profile, options) => {
    const c = servicenow.open(profile, options);
    return { ...c, read: (request) => c.read({ ...request, pageSize: 10 }) };
  },
};

it.skipIf(!postgresAvailable)(
  "two workers reading one sandbox instance stay under its rate limit together, and both make progress",
  async () => {
    const flows = new MemoryFlows();
    const from = sb.world.historyStart;
    const to = sb.world.historyEnd;
    const names = ["sn-0", "sn-1", "sn-2", "sn-3"];
    for (const n of names) flows.add(n);
    const written = new Map<string, number>();
    const engines = ["A", "B"].map((w) => {
      const counting: RecordSink = {
        writeBatch: async (tx, batch) => {
          written.set(w, (written.get(w) ?? 0) + batch.records.length);
          return tableSink.writeBatch(tx, batch);
        },
      };
      const executor = new PostgresExecutor({
        db: db.db,
        pool: db.pool!,
        clock: systemClock,
        concurrency: 1,
        pollIntervalMs: 100,
        workerId: `worker-${w}`,
      });
      const limits = new InstanceLimits({ db: db.db, clock: systemClock, timer: systemTimer });
      const engine = new FlowEngine({
        db: db.db,
        clock: systemClock,
        executor,
        sink: counting,
        flows,
        connectors: { Servicenow: smallPages },
        credentials: {
          resolve: async () => ({
            instanceUrl: sb.url,
            credentials: {
              kind: "basic",
              username: sb.credentials.username,
              password: sb.credentials.password,
            },
          }),
        },
        instanceLimits: limits,
      });
      return { engine, limits };
    });
    // 6 requests a second with a burst of 1: one sandbox-hour window sees at most 7 of the 10 allowed.
    await engines[0]?.limits.configure("Servicenow", sb.url, {
      maxConcurrent: 4,
      requestsPerSecond: 6,
      burst: 1,
    });
    const span = Math.ceil((to - from) / names.length);
    for (const [k, n] of names.entries()) {
      const flow = flows.flows.get(n);
      if (flow)
        await engines[0]?.engine.runBoundedWindow(flow, from + k * span, Math.min(to, from + (k + 1) * span));
    }
    sb.world.meter.reset();
    for (const e of engines) await e.engine.start();
    await waitFor(
      async () =>
        (
          await db.db
            .selectFrom("flow_executions")
            .select("status")
            .where("status", "=", "InProgress")
            .execute()
        ).length === 0,
      { timeoutMs: 90_000, intervalMs: 200, what: "no execution in progress" },
    );
    await Promise.all(engines.map((e) => e.engine.drain()));
    const statuses = await db.db.selectFrom("flow_executions").select(["flow_name", "status"]).execute();
    const counters = sb.world.meter.counters();
    console.info(
      `shared rate: ${counters.requests} requests, ${counters.violations} violations, written ${JSON.stringify(Object.fromEntries(written))}`,
    );
    expect(statuses.every((s) => s.status === "Successful")).toBe(true);
    expect(counters.requests).toBeGreaterThan(50);
    expect(counters.violations).toBe(0);
    expect(written.get("A") ?? 0).toBeGreaterThan(0);
    expect(written.get("B") ?? 0).toBeGreaterThan(0);
  },
  120_000,
);
