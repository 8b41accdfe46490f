import type { Kysely } from "kysely";
import type { Timer } from "../connectors/sdk/index.ts";
import type { Logger } from "../core/logger.ts";
import type { Database } from "../db/schema.ts";
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
}

/**
 * Up to 4 pages read ahead and 10,000 records per commit: a page and its checkpoint commit together as
 * before when the database keeps up; when it does not, the pages waiting are committed as one group.
 */
export const DEFAULT_READ_AHEAD: ReadAheadLimits = { pages: 4, records: 10_000 };
