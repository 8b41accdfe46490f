import type { Queryable } from "../db/queryable.ts";

/**
 * The Executor port: decides who runs what, when. Execution *state* (records, checkpoints, leases)
 * lives in our own tables; an executor only delivers jobs to handlers. Two adapters share this shape:
 * `embedded/` (jobs in our tables, one process, SQLite or PostgreSQL) and, later, a PostgreSQL job
 * queue (graphile-worker) for many worker processes. Payloads are JSON objects and are validated by
 * their handler, since a queued payload may have been written by older code.
 */
export type JobPayload = Readonly<Record<string, unknown>>;

/** How a job that throws is retried: `maxAttempts` tries in all, exponential backoff from `baseMs`. */
export interface JobRetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
}

/** Default job retry: 5 tries, 2 s × 2ⁿ (handlers catch what they can; this covers database hiccups). */
export const defaultJobRetry: JobRetryPolicy = { maxAttempts: 5, baseMs: 2_000 };

/**
 * What happens when a job with the same key is already waiting:
 * `replace` (new payload and run-at), `preserve` (keep the waiting job as it is),
 * `preserve_run_at` (new payload, keep its run-at). A running job never blocks a new one.
 */
export type JobKeyMode = "replace" | "preserve" | "preserve_run_at";

export interface JobSpec {
  /** The name of a handler registered with `define`. */
  readonly task: string;
  readonly payload: JobPayload;
  /** Dedupe key: at most one waiting job per key. */
  readonly key?: string;
  readonly keyMode?: JobKeyMode;
  /** Epoch ms; default now. */
  readonly runAt?: number;
  readonly retry?: JobRetryPolicy;
  /** Concurrency group: jobs of one queue run one at a time, across all processes. */
  readonly queue?: string;
  /** Lower runs first among due jobs (graphile-worker's convention). */
  readonly priority?: number;
}

/** A recurring schedule: every `everyMs` from `startAt` (until `endAt`), enqueue one run of `task`. */
export interface RecurringSchedule {
  readonly key: string;
  readonly task: string;
  readonly payload: JobPayload;
  readonly everyMs: number;
  readonly startAt: number;
  readonly endAt?: number;
  readonly queue?: string;
}

/** Given to a handler for each run. */
export interface JobContext {
  readonly jobId: string;
  /** 1 on the first run. */
  readonly attempt: number;
  /** The id of the worker running the job (used as a lease owner). */
  readonly workerId: string;
  /** Aborted when the executor drains or stops: finish the current unit of work and return. */
  readonly signal: AbortSignal;
}

/** A handler may ask to run again later without using an attempt (e.g. a vendor quota pause). */
export type JobOutcome = undefined | { readonly rerunAt: number };

export type JobHandler = (payload: JobPayload, context: JobContext) => Promise<JobOutcome | undefined>;

export interface Executor {
  /** This process's worker id (lease owner). */
  readonly workerId: string;
  /** Registers the handler of a task name; call before `start`. */
  define(task: string, handler: JobHandler): void;
  /**
   * Enqueues a job through `q`: the transaction of the state change that needs the job (it commits or
   * rolls back with it), or the database for a job on its own.
   */
  enqueue(q: Queryable, job: JobSpec): Promise<void>;
  /** Creates or replaces a recurring schedule (its next run keeps its phase when only payload changes). */
  schedule(q: Queryable, schedule: RecurringSchedule): Promise<void>;
  /** Removes a recurring schedule (and its waiting run); a running one finishes. */
  unschedule(q: Queryable, key: string): Promise<void>;
  /** Starts polling and running jobs in the background. */
  start(): void;
  /** Runs every due job (and due schedule) until none is left, then resolves; for tests and one-shot CLIs. */
  runOnce(): Promise<void>;
  /** Stops taking jobs, signals running handlers to finish their unit of work, waits for them. */
  drain(): Promise<void>;
}
