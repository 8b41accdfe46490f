import type { Kysely } from "kysely";
import type { Timer } from "../connectors/sdk/index.ts";
import type { Logger } from "../core/logger.ts";
import type { Database } from "../db/schema.ts";
import type { CommitBudget } from "./commit-pacer.ts";
import type { ExecutionStore } from "./execution-store.ts";
import type { ConnectorCatalog, ConnectorCredentialsResolver, FlowCatalog } from "./flow-ports.ts";
import type { InstanceGate } from "./instance-limits/instance-limits.ts";
import type { ReadAheadLimits } from "./read-ahead.ts";
import type { RecordSink } from "./record-sink.ts";

export interface RunnerDeps {
  readonly db: Kysely<Database>;
  readonly store: ExecutionStore;
  readonly sink: RecordSink;
  readonly flows: FlowCatalog;
  readonly connectors: ConnectorCatalog;
  readonly credentials: ConnectorCredentialsResolver;
  readonly timer: Timer;
  readonly leaseTtlMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxTransientAttempts: number;
  readonly retryBaseMs: number;
  readonly logger?: Logger | undefined;
  /** Per-instance concurrency and shared request rate (scale-out); absent: no shared limits. */
  readonly instanceLimits?: InstanceGate | undefined;
  /** How far reads run ahead of writes and how many records one commit may take; default DEFAULT_READ_AHEAD. */
  readonly readAhead?: ReadAheadLimits | undefined;
  /**
   * How long one transaction of a page group may hold the database, roughly: a group is committed in
   * parts sized to it (CommitPacer), its checkpoint with the last. Default DEFAULT_COMMIT_BUDGET.
   */
  readonly commitBudget?: CommitBudget | undefined;
  /** Whether API requests are in flight in this process (RequestsInFlight): parts are then smallest. */
  readonly requestsWaiting?: (() => boolean) | undefined;
  /** Whether other runs are in progress in this process: parts are then smaller. */
  readonly otherRuns?: (() => boolean) | undefined;
}

/**
 * A part of a page group holds the database ~250 ms when its run is alone in the process, ~50 ms while
 * other runs share it, ~20 ms while API requests are in flight.
 */
export const DEFAULT_COMMIT_BUDGET: CommitBudget = { aloneMs: 250, sharedMs: 50, busyMs: 20 };

/** PostgreSQL while requests are in flight: only writers to the part's domain wait for it. */
const PG_BUSY_MS = 50;

/**
 * The budget for `commitBudgetMs` (config; 0 commits each group whole). On SQLite a transaction holds
 * the one connection, and its statements the event loop: a group goes in parts of about
 * `commitBudgetMs`, smaller while other runs share the process or requests are in flight. On PostgreSQL
 * a transaction holds only its domain's lock (reads never wait for it) and the event loop turns while
 * PostgreSQL works: a group goes whole, as parts cost merges in a different order and more statements
 * (docs/benchmarks.md, "Pages committed in parts"), except while requests are in flight, when a
 * PutIntegration or a merge on the same domain would wait for it.
 */
export function commitBudgetOf(ms: number, dialect: "sqlite" | "postgres" = "sqlite"): CommitBudget {
  const d = DEFAULT_COMMIT_BUDGET;
  if (dialect === "postgres") return { aloneMs: 0, sharedMs: 0, busyMs: Math.min(ms, PG_BUSY_MS) };
  return { aloneMs: ms, sharedMs: Math.min(ms, d.sharedMs), busyMs: Math.min(ms, d.busyMs) };
}

/**
 * Up to 4 pages read ahead and 2,500 records per commit (a larger page, such as a Salesforce REST page of
 * 2,000 after another or a Bulk API page of 10,000, is a group alone): a page and its checkpoint commit
 * together as before when the database keeps up; when it does not, the pages waiting are committed as
 * one group. 2,500, not 10,000 or 5,000: on PostgreSQL a group is written in one transaction, so
 * everything derived from its records is alive at once; 10,000 → 5,000 took ~50 MB off the server's
 * peak, 5,000 → 2,500 another ~25–30 MB, the rate's change within the spread of the runs (SQLite,
 * whose groups go in parts of ~250 ms, unchanged either way; docs/benchmarks.md, issue 18 point 2).
 */
export const DEFAULT_READ_AHEAD: ReadAheadLimits = { pages: 4, records: 2_500 };
