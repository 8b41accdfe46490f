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
  /**
   * When the execution last committed a checkpoint (or started): what was stored since then may be a
   * part of this group that committed before a crash, read again now.
   */
  readonly replaySince: number;
  /**
   * Set when the page group is committed in parts: the sink may write only the first `partLimit`
   * records and say so in `consumed`; the runner then commits them without the checkpoint and hands over
   * the rest. A part may be read again after a crash (the checkpoint is the page's), so a sink that
   * takes fewer than all must write a record it already stored in this execution as a no-op. Deletions
   * and rejected records are applied only by the call that consumes the last record.
   */
  readonly partLimit?: number | undefined;
}

export interface SinkResult {
  /** Records ingested. */
  readonly accepted: number;
  /** Bytes of what was written (as the sink measures it; JSON size is fine). */
  readonly bytesWritten: number;
  /** Records of `batch.records` that failed to ingest (dead letters); `batch.rejected` are not repeated here. */
  readonly failed: readonly SinkRejected[];
  /** How many of `batch.records` (from the first) this call wrote; absent: all of them. */
  readonly consumed?: number | undefined;
}

/**
 * Where pages go. The composition root wires it to ingest + profiles. `writeBatch` runs inside the
 * transaction that commits the batch's checkpoint, or a part of it (`partLimit`): write only through
 * `tx`, and throw only for a failure that should roll that transaction back (a per-record problem is a
 * `failed` entry instead).
 */
export interface RecordSink {
  writeBatch(tx: Queryable, batch: SinkBatch): Promise<SinkResult>;
  /**
   * Records a later writeBatch of this destination will most likely get (the page read ahead of the
   * group being written): the sink may start work on them that writes nothing (mapping, sealing, off the
   * main thread where it can). Never awaited; writeBatch must not depend on it having run. The records
   * handed over are the very objects writeBatch gets later, unchanged (the engine never changes a
   * prepared record): a sink may keep what it derived from them.
   */
  prefetch?(destination: SinkDestination, records: readonly SinkRecord[]): void;
}

/** Where a flow's records go. */
export interface SinkDestination {
  readonly domainName: string;
  readonly objectTypeName: string;
}
