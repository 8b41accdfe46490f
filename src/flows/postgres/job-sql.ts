import { sql } from "kysely";
import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { JobKeyMode } from "../executor.ts";
import { jobPayloadSchema } from "../job-payload-columns.ts";

/** The schema graphile-worker installs its tables and functions in. */
export const queueSchema = "graphile_worker";

/**
 * What we store as a graphile-worker payload: the job's own payload (`p`) plus what our retry policy
 * needs: `o` attempts used by earlier incarnations of this job (a retry or a rerun is a new queue row),
 * `m` max attempts, `b` backoff base (ms), `k` job key, `q` queue name, `r` priority. Short names keep
 * the queue rows small; the schema checks every one on the way out of the queue.
 */
const envelopeSchema = z
  .object({
    p: jobPayloadSchema,
    o: z.number().int().nonnegative(),
    m: z.number().int().positive(),
    b: z.number().nonnegative(),
    k: z.string().exactOptional(),
    q: z.string().exactOptional(),
    r: z.number().int(),
  })
  .readonly();
export type Envelope = z.infer<typeof envelopeSchema>;

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

/**
 * Parses a queue payload written by this or older code; a bare object (hand-added job) is its own payload.
 * Anything else (an array, a scalar, an envelope with a malformed member) is STORED_DATA_INVALID.
 */
export function openEnvelope(raw: unknown): Envelope {
  const envelope = envelopeSchema.safeParse(raw);
  if (envelope.success) return envelope.data;
  const looksLikeEnvelope = typeof raw === "object" && raw !== null && "p" in raw && "m" in raw;
  const bare = looksLikeEnvelope ? undefined : jobPayloadSchema.safeParse(raw ?? {});
  if (bare?.success) return { p: bare.data, o: 0, m: 1, b: 1000, r: 0 };
  const issue = (envelope.error.issues[0]?.path ?? []).join(".");
  throw new ProfileflowError(
    "STORED_DATA_INVALID",
    `graphile_worker job payload is not a job envelope${issue ? ` (at ${issue})` : ""}`,
    { table: `${queueSchema}.jobs`, column: "payload" },
  );
}
