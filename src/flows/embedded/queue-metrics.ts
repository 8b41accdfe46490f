import { sql } from "kysely";
import type { Queryable } from "../../db/queryable.ts";
import type { QueueCounts } from "../execution-metrics.ts";

const n = (v: unknown): number => Number(v ?? 0);

/** The embedded executor's jobs by state (`executor_jobs`, times on our clock). */
export async function embeddedQueueCounts(q: Queryable, now: number): Promise<QueueCounts> {
  const free = sql`(locked_until is null or locked_until < ${now})`;
  const r = await sql<Record<keyof QueueCounts, unknown>>`
    select
      sum(case when failed_at is null and ${free} and run_at <= ${now} then 1 else 0 end) as due,
      sum(case when failed_at is null and ${free} and run_at > ${now} then 1 else 0 end) as scheduled,
      sum(case when failed_at is null and not ${free} then 1 else 0 end) as running,
      sum(case when failed_at is not null then 1 else 0 end) as failed
    from executor_jobs`.execute(q);
  const row = r.rows[0];
  return { due: n(row?.due), scheduled: n(row?.scheduled), running: n(row?.running), failed: n(row?.failed) };
}
