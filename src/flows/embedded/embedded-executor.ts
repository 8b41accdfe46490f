import type { Kysely } from "kysely";
import type { Clock } from "../../core/clock.ts";
import { uuid } from "../../core/ids.ts";
import type { Logger } from "../../core/logger.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { Database } from "../../db/schema.ts";
import {
  defaultJobRetry,
  type Executor,
  type JobHandler,
  type JobSpec,
  type RecurringSchedule,
} from "../executor.ts";
import { jobPayloadColumn } from "../job-payload-columns.ts";
import { fireDueSchedules, removeSchedule, upsertSchedule } from "./schedules.ts";

export interface EmbeddedExecutorOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly workerId?: string;
  /** Jobs run at the same time in this process; default 4. */
  readonly concurrency?: number;
  /** Real milliseconds between polls when idle; default 1000. */
  readonly pollIntervalMs?: number;
  /** How long a claimed job stays locked without a heartbeat (clock ms); default 30 s. */
  readonly lockTtlMs?: number;
  /** Real milliseconds between lock heartbeats; default lockTtlMs / 3. */
  readonly heartbeatIntervalMs?: number;
  readonly logger?: Logger;
}

type JobRow = Database["executor_jobs"];

/**
 * The embedded executor: jobs and schedules in our tables, an in-process pool, graphile-worker's
 * semantics (job keys, queues that run one job at a time, retries with exponential backoff, runOnce,
 * graceful drain). A job's lock expires `lockTtlMs` after its last heartbeat, so a restarted process
 * picks up what a killed one held.
 */
export class EmbeddedExecutor implements Executor {
  readonly workerId: string;
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #ttl: number;
  readonly #beatMs: number;
  readonly #log: Logger | undefined;
  readonly #running = new Map<string, Promise<void>>();
  readonly #busyQueues = new Set<string>();
  #abort = new AbortController();
  #started = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(o: EmbeddedExecutorOptions) {
    this.#db = o.db;
    this.#clock = o.clock;
    this.workerId = o.workerId ?? `embedded-${uuid()}`;
    this.#concurrency = o.concurrency ?? 4;
    this.#pollMs = o.pollIntervalMs ?? 1000;
    this.#ttl = o.lockTtlMs ?? 30_000;
    this.#beatMs = o.heartbeatIntervalMs ?? Math.floor(this.#ttl / 3);
    this.#log = o.logger;
  }

  /** Registers the handler of a task name. */
  define(task: string, handler: JobHandler): void {
    this.#handlers.set(task, handler);
  }

  /** Enqueues a job, deduplicated by key (see JobKeyMode). */
  async enqueue(db: Queryable, job: JobSpec): Promise<void> {
    const now = this.#clock.now();
    const runAt = job.runAt ?? now;
    const retry = job.retry ?? defaultJobRetry;
    if (job.key !== undefined) {
      const existing = await db
        .selectFrom("executor_jobs")
        .selectAll()
        .where("job_key", "=", job.key)
        .executeTakeFirst();
      if (existing) {
        const waiting = existing.failed_at === null && (existing.locked_until ?? 0) < now;
        if (waiting) {
          const mode = job.keyMode ?? "replace";
          if (mode === "preserve") return;
          await db
            .updateTable("executor_jobs")
            .set({
              payload: jobPayloadColumn.stringify(job.payload),
              ...(mode === "replace" ? { run_at: runAt, attempts: 0 } : {}),
              queue_name: job.queue ?? null,
              priority: job.priority ?? 0,
              max_attempts: retry.maxAttempts,
              backoff_base_ms: retry.baseMs,
            })
            .where("job_id", "=", existing.job_id)
            .execute();
          return;
        }
        // A running or failed job keeps its row but gives up the key, as in graphile-worker.
        await db
          .updateTable("executor_jobs")
          .set({ job_key: null })
          .where("job_id", "=", existing.job_id)
          .execute();
      }
    }
    await db
      .insertInto("executor_jobs")
      .values({
        job_id: uuid(),
        task: job.task,
        payload: jobPayloadColumn.stringify(job.payload),
        job_key: job.key ?? null,
        queue_name: job.queue ?? null,
        priority: job.priority ?? 0,
        run_at: runAt,
        attempts: 0,
        max_attempts: retry.maxAttempts,
        backoff_base_ms: retry.baseMs,
        last_error: null,
        locked_by: null,
        locked_until: null,
        failed_at: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column("job_key").doNothing())
      .execute();
    this.#wake?.();
  }

  /** Creates or replaces a recurring schedule. */
  async schedule(q: Queryable, schedule: RecurringSchedule): Promise<void> {
    await upsertSchedule(q, schedule, this.#clock.now());
    this.#wake?.();
  }

  /** Removes a recurring schedule and its waiting run. */
  async unschedule(q: Queryable, key: string): Promise<void> {
    await removeSchedule(q, key, this.#clock.now());
  }

  /** Starts the background poll loop. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#loop = this.#pollLoop();
  }

  /** Runs due schedules and jobs until nothing is due. */
  async runOnce(): Promise<void> {
    for (;;) {
      await fireDueSchedules(this.#db, this.#clock.now(), (j, tx) => this.enqueue(tx, j));
      const jobs = await this.#claim(this.#concurrency);
      if (jobs.length === 0) return;
      await Promise.all(jobs.map((j) => this.#track(j)));
    }
  }

  /** Stops taking jobs, aborts running handlers' signals and waits for them. */
  async drain(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#running.values()]);
  }

  async #pollLoop(): Promise<void> {
    while (!this.#stopped) {
      try {
        await fireDueSchedules(this.#db, this.#clock.now(), (j, tx) => this.enqueue(tx, j));
        const free = this.#concurrency - this.#running.size;
        const jobs = free > 0 ? await this.#claim(free) : [];
        for (const j of jobs) void this.#track(j);
        if (jobs.length > 0 && jobs.length === free) continue;
      } catch (e) {
        this.#log?.error({ err: e }, "executor poll failed");
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.#pollMs);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #track(job: JobRow): Promise<void> {
    const p = this.#run(job).finally(() => {
      this.#running.delete(job.job_id);
      if (job.queue_name !== null) this.#busyQueues.delete(job.queue_name);
      this.#wake?.();
    });
    this.#running.set(job.job_id, p);
    return p;
  }

  /** Locks up to `n` due jobs, at most one per queue, skipping queues with a live lock anywhere. */
  async #claim(n: number): Promise<JobRow[]> {
    if (this.#stopped && this.#started) return [];
    if (this.#abort.signal.aborted) return [];
    const now = this.#clock.now();
    const busy = await this.#db
      .selectFrom("executor_jobs")
      .select("queue_name")
      .distinct()
      .where("queue_name", "is not", null)
      .where("locked_until", ">=", now)
      .execute();
    const blocked = new Set<string>([...this.#busyQueues, ...busy.map((b) => b.queue_name as string)]);
    const candidates = await this.#db
      .selectFrom("executor_jobs")
      .selectAll()
      .where("run_at", "<=", now)
      .where("failed_at", "is", null)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .orderBy("priority")
      .orderBy("run_at")
      .orderBy("created_at")
      .limit(n * 4 + 8)
      .execute();
    const out: JobRow[] = [];
    for (const c of candidates) {
      if (out.length >= n) break;
      if (c.queue_name !== null && blocked.has(c.queue_name)) continue;
      const r = await this.#db
        .updateTable("executor_jobs")
        .set({ locked_by: this.workerId, locked_until: now + this.#ttl, attempts: c.attempts + 1 })
        .where("job_id", "=", c.job_id)
        .where("attempts", "=", c.attempts)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      if (c.queue_name !== null) {
        blocked.add(c.queue_name);
        this.#busyQueues.add(c.queue_name);
      }
      out.push({ ...c, attempts: c.attempts + 1, locked_by: this.workerId });
    }
    return out;
  }

  async #run(job: JobRow): Promise<void> {
    const handler = this.#handlers.get(job.task);
    const beat = setInterval(() => {
      void this.#db
        .updateTable("executor_jobs")
        .set({ locked_until: this.#clock.now() + this.#ttl })
        .where("job_id", "=", job.job_id)
        .where("locked_by", "=", this.workerId)
        .execute()
        .catch((e) => this.#log?.warn({ err: e }, "job heartbeat failed"));
    }, this.#beatMs);
    beat.unref?.();
    try {
      if (!handler) throw new Error(`no handler is defined for task ${job.task}`);
      const outcome = await handler(jobPayloadColumn.parse(job.payload), {
        jobId: job.job_id,
        attempt: job.attempts,
        workerId: this.workerId,
        signal: this.#abort.signal,
      });
      if (outcome?.rerunAt !== undefined) {
        await this.#db
          .updateTable("executor_jobs")
          .set({ run_at: outcome.rerunAt, attempts: job.attempts - 1, locked_by: null, locked_until: null })
          .where("job_id", "=", job.job_id)
          .where("locked_by", "=", this.workerId)
          .execute();
      } else {
        await this.#db
          .deleteFrom("executor_jobs")
          .where("job_id", "=", job.job_id)
          .where("locked_by", "=", this.workerId)
          .execute();
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#log?.warn({ err: e, task: job.task, attempt: job.attempts }, "job failed");
      const now = this.#clock.now();
      const final = job.attempts >= job.max_attempts;
      await this.#db
        .updateTable("executor_jobs")
        .set({
          last_error: message,
          locked_by: null,
          locked_until: null,
          ...(final
            ? { failed_at: now, job_key: null }
            : { run_at: now + job.backoff_base_ms * 2 ** (job.attempts - 1) }),
        })
        .where("job_id", "=", job.job_id)
        .where("locked_by", "=", this.workerId)
        .execute();
    } finally {
      clearInterval(beat);
    }
  }
}
