import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import { embeddedQueueCounts } from "../flows/embedded/queue-metrics.ts";
import { type ExecutionMetrics, type QueueCounts, readExecutionMetrics } from "../flows/execution-metrics.ts";
import { liveWorkers, postgresQueueCounts } from "../flows/postgres/queue-metrics.ts";

/** What the engine gauges are read from. */
export interface EngineMetricsDeps {
  db: Queryable;
  dialect: DialectName;
  clock: Clock;
  logger?: Logger;
  /** A PostgreSQL worker whose heartbeat is older than this is dead (the executor's worker TTL). */
  workerTtlMs?: number;
}

/** One scrape's reading of our tables; every gauge is set from the same reading. */
interface Snapshot extends ExecutionMetrics {
  jobs: QueueCounts;
  workers?: { live: number; slots: number };
}

/**
 * Registers the engine and queue gauges on `registry`. They are read from our tables at scrape time
 * (prom-client `collect`), so the API process reports the whole deployment, every worker included,
 * and values survive restarts. Labels stay low-cardinality: visible flows only, never workflow steps.
 */
export function registerEngineMetrics(registry: Registry, deps: EngineMetricsDeps): void {
  const read = snapshotReader(deps);
  const registers = [registry];
  new Gauge({
    name: "profileflow_executions_in_progress",
    help: "Executions not yet ended: running = a live lease holds it; waiting = no live lease (retry wait, or an orphan the sweep will resume)",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      if (!s) return;
      this.set({ state: "running" }, s.executions.running);
      this.set({ state: "waiting" }, s.executions.waiting);
    },
  });
  new Gauge({
    name: "profileflow_queue_jobs",
    help: "Executor queue jobs: due = may run now but nobody took it yet; scheduled = run_at in the future; running = locked by a worker; failed = attempts used up",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      if (!s) return;
      for (const [state, count] of Object.entries(s.jobs)) this.set({ state }, count);
    },
  });
  if (deps.dialect === "postgres") {
    new Gauge({
      name: "profileflow_workers_live",
      help: "Worker processes (pools) whose heartbeat is within the worker TTL",
      registers,
      async collect() {
        const s = await read();
        this.reset();
        if (s?.workers) this.set(s.workers.live);
      },
    });
    new Gauge({
      name: "profileflow_worker_slots",
      help: "Executions the live workers may run at once (sum of their --concurrency)",
      registers,
      async collect() {
        const s = await read();
        this.reset();
        if (s?.workers) this.set(s.workers.slots);
      },
    });
  }
  new Counter({
    name: "profileflow_records_ingested_total",
    help: "Records executions read and handed to the profile store, by trigger (OnDemand, Scheduled, Window = workflow step)",
    labelNames: ["trigger"] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      for (const r of s?.records ?? []) this.inc({ trigger: r.trigger }, r.processed);
    },
  });
  new Counter({
    name: "profileflow_put_failures_total",
    help: "Records that could not be written to the profile store (dead-lettered), by trigger",
    labelNames: ["trigger"] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      for (const r of s?.records ?? []) this.inc({ trigger: r.trigger }, r.putFailures);
    },
  });
  new Gauge({
    name: "profileflow_flow_last_success_timestamp_seconds",
    help: "When each visible flow's last Successful execution ended (Unix seconds); workflow steps are left out",
    labelNames: ["flow"] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      for (const f of s?.lastSuccess ?? []) this.set({ flow: f.flow }, f.at / 1000);
    },
  });
}

/** A reader that runs the queries once per scrape: prom-client starts every collect in one tick, so they share it. */
function snapshotReader(deps: EngineMetricsDeps): () => Promise<Snapshot | undefined> {
  let pending: Promise<Snapshot | undefined> | undefined;
  return () => {
    pending ??= readSnapshot(deps)
      .catch((err: unknown) => {
        deps.logger?.warn({ err }, "engine metrics: reading the tables failed");
        return undefined;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

async function readSnapshot(d: EngineMetricsDeps): Promise<Snapshot> {
  const now = d.clock.now();
  const postgres = d.dialect === "postgres";
  const snapshot: Snapshot = {
    ...(await readExecutionMetrics(d.db, now)),
    jobs: postgres ? await postgresQueueCounts(d.db) : await embeddedQueueCounts(d.db, now),
  };
  if (postgres) snapshot.workers = await liveWorkers(d.db, now - (d.workerTtlMs ?? 30_000));
  return snapshot;
}
