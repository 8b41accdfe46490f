import { type Kysely, sql } from "kysely";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";
import { queueSchema } from "../flows/postgres/job-sql.ts";

/** What the engine gauges are read from. */
export interface EngineMetricsDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  clock: Clock;
  logger?: Logger;
  /** A PostgreSQL worker whose heartbeat is older than this is dead (the executor's worker TTL). */
  workerTtlMs?: number;
}

/** One scrape's reading of our tables; every gauge is set from the same reading. */
interface Snapshot {
  executions: { running: number; waiting: number };
  jobs: Record<"due" | "scheduled" | "running" | "failed", number>;
  workers?: { live: number; slots: number };
  records: { trigger: string; processed: number; putFailures: number }[];
  lastSuccess: { flow: string; at: number }[];
}

const n = (v: unknown): number => Number(v ?? 0);

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
  const ex = await sql<{ running: unknown; waiting: unknown }>`
    select
      sum(case when lease_owner is not null and lease_expires_at >= ${now} then 1 else 0 end) as running,
      sum(case when lease_owner is null or lease_expires_at < ${now} then 1 else 0 end) as waiting
    from flow_executions where active_flow is not null`.execute(d.db);
  const records = await sql<{ trigger: string; processed: unknown; failures: unknown }>`
    select trigger_kind as trigger, sum(records_processed) as processed, sum(put_failures_count) as failures
    from flow_executions group by trigger_kind`.execute(d.db);
  const last = await sql<{ flow: string; at: unknown }>`
    select e.flow_name as flow, max(e.finished_at) as at
    from flow_executions e join flows f on f.name = e.flow_name
    where f.hidden = 0 and e.status = 'Successful' and e.finished_at is not null
    group by e.flow_name`.execute(d.db);
  const snapshot: Snapshot = {
    executions: { running: n(ex.rows[0]?.running), waiting: n(ex.rows[0]?.waiting) },
    jobs: d.dialect === "postgres" ? await queueJobsPostgres(d.db) : await queueJobsSqlite(d.db, now),
    records: records.rows.map((r) => ({
      trigger: r.trigger,
      processed: n(r.processed),
      putFailures: n(r.failures),
    })),
    lastSuccess: last.rows.map((r) => ({ flow: r.flow, at: n(r.at) })),
  };
  if (d.dialect === "postgres") {
    const w = await sql<{ live: unknown; slots: unknown }>`
      select count(*) as live, coalesce(sum(concurrency), 0) as slots from executor_workers
      where last_seen_at >= ${now - (d.workerTtlMs ?? 30_000)}`.execute(d.db);
    snapshot.workers = { live: n(w.rows[0]?.live), slots: n(w.rows[0]?.slots) };
  }
  return snapshot;
}

/** graphile-worker's public jobs view (run_at on the database's clock, as the queue itself uses it). */
async function queueJobsPostgres(db: Kysely<Database>): Promise<Snapshot["jobs"]> {
  // The queue schema is installed by the first enqueue or worker start: before that the queue is empty.
  const installed = await sql<{
    t: string | null;
  }>`select to_regclass(${`${queueSchema}.jobs`}) as t`.execute(db);
  if (!installed.rows[0]?.t) return { due: 0, scheduled: 0, running: 0, failed: 0 };
  const r = await sql<Record<keyof Snapshot["jobs"], unknown>>`
    select
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now()) as due,
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now()) as scheduled,
      count(*) filter (where locked_at is not null) as running,
      count(*) filter (where locked_at is null and attempts >= max_attempts) as failed
    from ${sql.id(queueSchema, "jobs")}`.execute(db);
  const row = r.rows[0];
  return { due: n(row?.due), scheduled: n(row?.scheduled), running: n(row?.running), failed: n(row?.failed) };
}

/** The embedded executor's `executor_jobs` (times on our clock). */
async function queueJobsSqlite(db: Kysely<Database>, now: number): Promise<Snapshot["jobs"]> {
  const free = sql`(locked_until is null or locked_until < ${now})`;
  const r = await sql<Record<keyof Snapshot["jobs"], unknown>>`
    select
      sum(case when failed_at is null and ${free} and run_at <= ${now} then 1 else 0 end) as due,
      sum(case when failed_at is null and ${free} and run_at > ${now} then 1 else 0 end) as scheduled,
      sum(case when failed_at is null and not ${free} then 1 else 0 end) as running,
      sum(case when failed_at is not null then 1 else 0 end) as failed
    from executor_jobs`.execute(db);
  const row = r.rows[0];
  return { due: n(row?.due), scheduled: n(row?.scheduled), running: n(row?.running), failed: n(row?.failed) };
}
