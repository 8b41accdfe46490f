import { sql } from "kysely";
import type { Queryable } from "../../db/queryable.ts";
import type { JobKeyMode } from "../executor.ts";

/** The schema graphile-worker installs its tables and functions in. */
export const queueSchema = "graphile_worker";

/**
 * What we store as a graphile-worker payload: the job's own payload plus what our retry policy needs.
 * `o` is the attempts used by earlier incarnations of this job (a retry or a rerun is a new queue row).
 */
export interface Envelope {
  readonly p: Record<string, unknown>;
  readonly o: number;
  readonly m: number;
  readonly b: number;
  readonly k?: string;
  readonly q?: string;
  readonly r: number;
}

/** One queue row to add. */
export interface QueueJob {
  readonly task: string;
  readonly envelope: Envelope;
  readonly runAt: number;
  readonly keyMode: JobKeyMode;
}

/**
 * Adds a job with `graphile_worker.add_job()` on `db` (the caller's transaction when given), so the job
 * exists exactly when the state change that needs it commits. `preserve` keeps a waiting job with the same
 * key untouched; a running (locked) one never blocks a new job, as in graphile-worker's own modes.
 */
export async function addQueueJob(db: Queryable, j: QueueJob): Promise<void> {
  const e = j.envelope;
  const fn = sql.id(queueSchema, "add_job");
  const call = sql`${fn}(
    identifier => ${j.task},
    payload => ${JSON.stringify(e)}::json,
    queue_name => ${e.q ?? null}::text,
    run_at => ${new Date(j.runAt).toISOString()}::timestamptz,
    max_attempts => ${Math.max(1, e.m - e.o)}::int,
    job_key => ${e.k ?? null}::text,
    priority => ${e.r}::int,
    job_key_mode => ${j.keyMode === "preserve_run_at" ? "preserve_run_at" : "replace"}::text
  )`;
  if (e.k !== undefined && j.keyMode === "preserve") {
    await sql`select ${call} where not exists (
      select 1 from ${sql.id(queueSchema, "jobs")} as w
      where w.key = ${e.k} and w.locked_at is null and w.attempts < w.max_attempts)`.execute(db);
    return;
  }
  await sql`select ${call}`.execute(db);
}

/** Deletes the waiting job of a key (a running one loses its key and will not retry). */
export async function removeQueueJob(db: Queryable, key: string): Promise<void> {
  await sql`select ${sql.id(queueSchema, "remove_job")}(${key})`.execute(db);
}

/**
 * Jobs of these tasks that could run now (due, free, their queue free) or are locked by `lockOwner`: zero
 * means a run-once pass is over. Reads graphile-worker's private tables (version pinned at 0.17.3).
 */
export async function pendingJobs(
  db: Queryable,
  tasks: readonly string[],
  lockOwner: string,
): Promise<number> {
  const t = (name: string) => sql.id(queueSchema, name);
  const r = await sql<{ n: number }>`
    select count(*)::int as n from ${t("_private_jobs")} as j
    join ${t("_private_tasks")} as k on k.id = j.task_id
    where k.identifier = any(${[...tasks]}::text[])
    and (j.locked_by = ${lockOwner}
      or (j.is_available and j.run_at <= now() and (j.job_queue_id is null or exists (
        select 1 from ${t("_private_job_queues")} as q where q.id = j.job_queue_id and q.locked_at is null))))`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0;
}

/** Parses a queue payload written by this or older code; a bare object (hand-added job) is its own payload. */
export function openEnvelope(raw: unknown): Envelope {
  const o = (raw ?? {}) as Partial<Envelope>;
  if (o && typeof o === "object" && typeof o.p === "object" && o.p !== null && typeof o.m === "number") {
    return o as Envelope;
  }
  return { p: (raw ?? {}) as Record<string, unknown>, o: 0, m: 1, b: 1000, r: 0 };
}
