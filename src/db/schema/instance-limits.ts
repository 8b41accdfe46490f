/** Tables of scale-out: per-instance limits shared by every worker, and the live worker registry. */

/**
 * One vendor instance (connector type + instance URL): its concurrency limit and its request-rate token
 * bucket. Every worker updates the bucket with a compare-and-set on `rev`, so N workers share one rate.
 */
export interface InstanceLimitsTable {
  /** `<connectorType> <instanceUrl>`. */
  instance_key: string;
  /** Executions reading this instance at once, across all workers. */
  max_concurrent: number;
  /** Token refill rate (requests a second); 0 means no shared rate limit. */
  rate_per_sec: number;
  /** Bucket size: the largest burst. */
  burst: number;
  /** Tokens left at `refilled_at` (fractional). */
  tokens: number;
  refilled_at: number;
  /** An incremental sync is waiting for tokens until then: backfills hold back (priority). */
  priority_until: number;
  /** Bumped by every update (compare-and-set). */
  rev: number;
}

/** A slot taken by one execution on one instance; it counts only while the execution's lease is live. */
export interface InstanceSlotsTable {
  instance_key: string;
  execution_id: string;
  /** The lease owner that took it. */
  owner: string;
  /** 1 for a backfill step (workflow window), 0 otherwise. */
  backfill: number;
  taken_at: number;
}

/** A running worker process (PostgreSQL executor): heartbeats here; a stale row's queue locks are freed. */
export interface ExecutorWorkersTable {
  /** The job-queue library's lock owner id (graphile-worker pool id). */
  worker_id: string;
  /** Our worker id (execution lease owner). */
  owner: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: number;
  last_seen_at: number;
}

export interface InstanceLimitTables {
  instance_limits: InstanceLimitsTable;
  instance_slots: InstanceSlotsTable;
  executor_workers: ExecutorWorkersTable;
}
