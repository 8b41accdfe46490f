import {
  type Job,
  type JobHelpers,
  Logger as QueueLogger,
  runMigrations,
  runTaskList,
  type TaskList,
  type WorkerPool,
} from "graphile-worker";
import type { Kysely } from "kysely";
import type pg from "pg";
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
import { addQueueJob, type Envelope, openEnvelope, pendingJobs, queueSchema } from "./job-sql.ts";
import { fireDueSchedules, removeSchedule, upsertSchedule } from "./schedules.ts";
import { WorkerRegistry } from "./worker-registry.ts";

export interface PostgresExecutorOptions {
  readonly db: Kysely<Database>;
  /** The pg pool under `db` (DatabaseHandle.pool); graphile-worker fetches jobs and LISTENs through it. */
  readonly pool: pg.Pool;
  readonly clock: Clock;
  /** Lease owner id of this process; default `pg-<uuid>`. */
  readonly workerId?: string;
  /** Jobs run at the same time in this process; default 4. */
  readonly concurrency?: number;
  /** Real ms between polls for due schedules and (as a fallback to LISTEN) jobs; default 1000. */
  readonly pollIntervalMs?: number;
  /** A worker whose heartbeat is this old (clock ms) is dead and its queue locks are freed; default 30 s. */
  readonly workerTtlMs?: number;
  /** Real ms between worker heartbeats; default workerTtlMs / 3. */
  readonly heartbeatIntervalMs?: number;
  readonly logger?: Logger;
}

/**
 * The PostgreSQL executor: graphile-worker decides who runs what and when (SKIP LOCKED fetch, LISTEN/NOTIFY
 * wake-ups, named queues that run one job at a time, priorities, job keys); our retry policy, reruns and
 * recurring schedules are kept on top of it, and a worker registry frees a dead worker's queue locks
 * after `workerTtlMs` instead of graphile-worker's four hours. Jobs are added with `add_job()` inside the
 * caller's transaction.
 */
export class PostgresExecutor implements Executor {
  readonly workerId: string;
  readonly #o: PostgresExecutorOptions;
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #beatMs: number;
  readonly #registry: WorkerRegistry;
  readonly #abort = new AbortController();
  #migrated: Promise<void> | undefined;
  #pool: WorkerPool | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #inflight = 0;
  #wake: (() => void) | undefined;

  constructor(o: PostgresExecutorOptions) {
    this.#o = o;
    this.#db = o.db;
    this.#clock = o.clock;
    this.workerId = o.workerId ?? `pg-${uuid()}`;
    this.#concurrency = o.concurrency ?? 4;
    this.#pollMs = o.pollIntervalMs ?? 1000;
    const ttl = o.workerTtlMs ?? 30_000;
    this.#beatMs = o.heartbeatIntervalMs ?? Math.floor(ttl / 3);
    this.#registry = new WorkerRegistry(o.db, o.clock, ttl);
    // An idle client's connection error must not crash the worker; the pool replaces the client.
    if (o.pool.listenerCount("error") === 0) {
      o.pool.on("error", (e) => o.logger?.warn({ err: e }, "idle PostgreSQL client failed"));
    }
    if (o.pool.listenerCount("connect") === 0) {
      o.pool.on("connect", (client) =>
        client.on("error", (e) => o.logger?.warn({ err: e }, "PostgreSQL client failed")),
      );
    }
  }

  /** Installs (or upgrades) graphile-worker's schema once per process; enqueue and start await it. */
  migrate(): Promise<void> {
    this.#migrated ??= runMigrations({
      pgPool: this.#o.pool,
      schema: queueSchema,
      logger: this.#queueLogger(),
    });
    return this.#migrated;
  }

  /** Registers the handler of a task name. */
  define(task: string, handler: JobHandler): void {
    this.#handlers.set(task, handler);
  }

  /** Adds a job in `tx` (or on its own); see JobKeyMode for keys. */
  async enqueue(q: Queryable, job: JobSpec): Promise<void> {
    await this.migrate();
    const retry = job.retry ?? defaultJobRetry;
    const envelope: Envelope = {
      p: { ...job.payload },
      o: 0,
      m: retry.maxAttempts,
      b: retry.baseMs,
      r: job.priority ?? 0,
      ...(job.key !== undefined ? { k: job.key } : {}),
      ...(job.queue !== undefined ? { q: job.queue } : {}),
    };
    await addQueueJob(q, {
      task: job.task,
      envelope,
      runAt: job.runAt ?? this.#clock.now(),
      keyMode: job.keyMode ?? "replace",
    });
  }

  /** Creates or replaces a recurring schedule (in our executor_schedules table). */
  async schedule(q: Queryable, schedule: RecurringSchedule): Promise<void> {
    await upsertSchedule(q, schedule, this.#clock.now());
    this.#wake?.();
  }

  /** Removes a recurring schedule and its waiting run. */
  async unschedule(q: Queryable, key: string): Promise<void> {
    await this.migrate();
    await removeSchedule(q, key);
  }

  /** Starts the graphile-worker pool, the schedule poller and the heartbeat. */
  start(): void {
    if (this.#loop) return;
    this.#loop = this.#runContinuously();
  }

  /** Runs every due job and schedule until none is left (and nothing of ours is running). */
  async runOnce(): Promise<void> {
    await this.migrate();
    const own = this.#pool === undefined;
    const pool = this.#pool ?? this.#startPool();
    try {
      // Schedules fire once per pass: a pass that runs long must not chase ticks that come due during it.
      await this.#tick(pool.id);
      for (;;) {
        if (
          this.#inflight === 0 &&
          (await pendingJobs(this.#db, [...this.#handlers.keys()], pool.id)) === 0
        ) {
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      if (own) await this.#stopPool(pool);
    }
  }

  /** Stops fetching, aborts running handlers' signals (they finish their page) and waits for them. */
  async drain(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #runContinuously(): Promise<void> {
    await this.migrate();
    const pool = this.#startPool();
    let lastBeat = 0;
    while (!this.#stopped) {
      try {
        if (Date.now() - lastBeat >= this.#beatMs) {
          await this.#registry.beat(pool.id, this.workerId, this.#concurrency);
          lastBeat = Date.now();
        }
        await this.#tick(pool.id);
      } catch (e) {
        this.#o.logger?.error({ err: e }, "executor poll failed");
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(this.#pollMs, this.#beatMs));
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    await this.#stopPool(pool);
  }

  /** Fires due schedules and frees the queue locks of dead workers. */
  async #tick(self: string): Promise<void> {
    await fireDueSchedules(this.#db, this.#clock.now(), (j, tx) => this.enqueue(tx, j));
    const dead = await this.#registry.reapDead(self);
    if (dead.length > 0) {
      this.#o.logger?.warn({ workers: dead }, "freed the queue locks of workers that stopped heartbeating");
      this.#pool?.nudge(dead.length);
    }
  }

  #startPool(): WorkerPool {
    const tasks: TaskList = {};
    for (const name of this.#handlers.keys())
      tasks[name] = (payload, helpers) => this.#run(name, payload, helpers);
    const pool = runTaskList(
      {
        pgPool: this.#o.pool,
        schema: queueSchema,
        concurrency: this.#concurrency,
        pollInterval: this.#pollMs,
        noHandleSignals: true,
        logger: this.#queueLogger(),
      },
      tasks,
      this.#o.pool,
    );
    this.#pool = pool;
    void this.#registry.beat(pool.id, this.workerId, this.#concurrency).catch(() => {});
    return pool;
  }

  async #stopPool(pool: WorkerPool): Promise<void> {
    await pool.gracefulShutdown();
    if (this.#pool === pool) this.#pool = undefined;
    await this.#registry.leave(pool.id).catch(() => {});
  }

  async #run(task: string, raw: unknown, helpers: JobHelpers): Promise<void> {
    const env = openEnvelope(raw);
    const job: Job = helpers.job;
    const attempt = env.o + job.attempts;
    const handler = this.#handlers.get(task);
    if (!handler) throw new Error(`no handler is defined for task ${task}`);
    this.#inflight++;
    try {
      const outcome = await handler(env.p, {
        jobId: String(job.id),
        attempt,
        workerId: this.workerId,
        signal: this.#abort.signal,
      });
      // A rerun does not use an attempt: the new row carries the attempts used so far.
      if (outcome?.rerunAt !== undefined) await this.#follow(task, env, outcome.rerunAt, attempt - 1);
    } catch (e) {
      if (attempt >= env.m) throw e; // graphile-worker keeps it as permanently failed, with last_error
      this.#o.logger?.warn({ err: e, task, attempt }, "job failed; retrying");
      await this.#follow(task, env, this.#clock.now() + env.b * 2 ** (attempt - 1), attempt);
    } finally {
      this.#inflight--;
    }
  }

  /** The next incarnation of a job (retry or rerun); a newer waiting job with the same key wins. */
  async #follow(task: string, env: Envelope, runAt: number, used: number): Promise<void> {
    await addQueueJob(this.#db, { task, envelope: { ...env, o: used }, runAt, keyMode: "preserve" });
  }

  #queueLogger(): QueueLogger {
    const log = this.#o.logger;
    return new QueueLogger(() => (level, message, meta) => {
      if (!log) return;
      if (level === "error") log.error({ meta }, message);
      else if (level === "warning") log.warn({ meta }, message);
      else log.debug({ meta }, message);
    });
  }
}
