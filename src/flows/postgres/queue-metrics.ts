import { sql } from "kysely";
import type { Queryable } from "../../db/queryable.ts";
import type { QueueCounts } from "../execution-metrics.ts";
import { queueSchema } from "./job-sql.ts";

const n = (v: unknown): number => Number(v ?? 0);

/** graphile-worker's jobs by state (run_at on the database's clock, as the queue itself uses it). */
export async function postgresQueueCounts(q: Queryable): Promise<QueueCounts> {
  // The queue schema is installed by the first enqueue or worker start: before that the queue is empty.
  const installed = await sql<{
    t: string | null;
  }>`select to_regclass(${`${queueSchema}.jobs`}) as t`.execute(q);
  if (!installed.rows[0]?.t) return { due: 0, scheduled: 0, running: 0, failed: 0 };
  const r = await sql<Record<keyof QueueCounts, unknown>>`
    select
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now()) as due,
      count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now()) as scheduled,
      count(*) filter (where locked_at is not null) as running,
      count(*) filter (where locked_at is null and attempts >= max_attempts) as failed
    from ${sql.id(queueSchema, "jobs")}`.execute(q);
  const row = r.rows[0];
  return { due: n(row?.due), scheduled: n(row?.scheduled), running: n(row?.running), failed: n(row?.failed) };
}

/** Worker processes whose heartbeat is newer than `since`, and the executions they may run at once. */
export async function liveWorkers(q: Queryable, since: number): Promise<{ live: number; slots: number }> {
  const w = await sql<{ live: unknown; slots: unknown }>`
    select count(*) as live, coalesce(sum(concurrency), 0) as slots from executor_workers
    where last_seen_at >= ${since}`.execute(q);
  return { live: n(w.rows[0]?.live), slots: n(w.rows[0]?.slots) };
}
