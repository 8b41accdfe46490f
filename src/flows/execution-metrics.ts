import { sql } from "kysely";
import type { Queryable } from "../db/queryable.ts";

/** Executor queue jobs: due = may run now, nobody took it yet; scheduled = later; running = locked; failed = attempts used up. */
export interface QueueCounts {
  due: number;
  scheduled: number;
  running: number;
  failed: number;
}

/** What the engine gauges read from the executions (one reading per scrape). */
export interface ExecutionMetrics {
  /** Executions not yet ended: running = a live lease holds it; waiting = no live lease. */
  executions: { running: number; waiting: number };
  /** Records processed and put failures, summed per trigger kind. */
  records: { trigger: string; processed: number; putFailures: number }[];
  /** When each visible flow's last Successful execution ended (epoch ms); workflow steps left out. */
  lastSuccess: { flow: string; at: number }[];
}

const n = (v: unknown): number => Number(v ?? 0);

/** Reads the execution gauges' values from flow_executions and flows at `now`. */
export async function readExecutionMetrics(q: Queryable, now: number): Promise<ExecutionMetrics> {
  const ex = await sql<{ running: unknown; waiting: unknown }>`
    select
      sum(case when lease_owner is not null and lease_expires_at >= ${now} then 1 else 0 end) as running,
      sum(case when lease_owner is null or lease_expires_at < ${now} then 1 else 0 end) as waiting
    from flow_executions where active_flow is not null`.execute(q);
  const records = await sql<{ trigger: string; processed: unknown; failures: unknown }>`
    select trigger_kind as trigger, sum(records_processed) as processed, sum(put_failures_count) as failures
    from flow_executions group by trigger_kind`.execute(q);
  const last = await sql<{ flow: string; at: unknown }>`
    select e.flow_name as flow, max(e.finished_at) as at
    from flow_executions e join flows f on f.name = e.flow_name
    where f.hidden = 0 and e.status = 'Successful' and e.finished_at is not null
    group by e.flow_name`.execute(q);
  return {
    executions: { running: n(ex.rows[0]?.running), waiting: n(ex.rows[0]?.waiting) },
    records: records.rows.map((r) => ({
      trigger: r.trigger,
      processed: n(r.processed),
      putFailures: n(r.failures),
    })),
    lastSuccess: last.rows.map((r) => ({ flow: r.flow, at: n(r.at) })),
  };
}
