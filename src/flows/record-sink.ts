import type { DeleteEvent } from "../connectors/sdk/index.ts";
import type { Queryable } from "../db/queryable.ts";
import type { StoredFlow } from "./flow-definition.ts";

/** One record after the flow's tasks: the source id and cursor time, and the transformed fields. */
export interface SinkRecord {
  readonly id: string;
  /** The source cursor time (epoch ms); later versions of one id win downstream. */
  readonly sourceTimestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A record that cannot be ingested: the sink keeps it as a dead letter and counts it as a put failure. */
export interface SinkRejected {
  readonly recordId: string | undefined;
  readonly data: unknown;
  /** A stable code (an error registry code or a connector error class). */
  readonly code: string;
  readonly message: string;
}

/** One page of an execution, handed to the sink inside the transaction that also commits its checkpoint. */
export interface SinkBatch {
  readonly flow: StoredFlow;
  readonly executionId: string;
  readonly domainName: string;
  /** The destination object type (FlowDefinition's objectTypeName); "" when the flow names none. */
  readonly objectTypeName: string;
  readonly records: readonly SinkRecord[];
  /** Records deleted at the source: the sink removes the objects they produced. */
  readonly deletions: readonly DeleteEvent[];
  /** Records the connector or the tasks rejected; the sink dead-letters them (no ingest attempt). */
  readonly rejected: readonly SinkRejected[];
}

export interface SinkResult {
  /** Records ingested. */
  readonly accepted: number;
  /** Bytes of what was written (as the sink measures it; JSON size is fine). */
  readonly bytesWritten: number;
  /** Records of `batch.records` that failed to ingest (dead letters); `batch.rejected` are not repeated here. */
  readonly failed: readonly SinkRejected[];
}

/**
 * Where pages go. The composition root wires it to ingest + profiles. `writeBatch` runs inside the
 * transaction that commits the batch's checkpoint: write only through `tx`, and throw only for a
 * failure that should roll the whole page back (a per-record problem is a `failed` entry instead).
 */
export interface RecordSink {
  writeBatch(tx: Queryable, batch: SinkBatch): Promise<SinkResult>;
}
