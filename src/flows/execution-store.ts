import type { FlatCheckpoint } from "../connectors/sdk/index.ts";
import type { Clock } from "../core/clock.ts";
import { invalid, ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import { wellFormedText } from "../core/well-formed-text.ts";
import type { Queryable } from "../db/queryable.ts";
import {
  executionCheckpointColumn,
  lastCheckpointColumn,
  sinceCheckpointColumn,
} from "./checkpoint-columns.ts";
import {
  activeStatuses,
  type ExecutionRecord,
  type ExecutionRow,
  type ExecutionStatus,
  toExecutionRecord,
} from "./execution-record.ts";

export interface NewExecution {
  readonly flowName: string;
  readonly flowArn: string;
  readonly trigger: "OnDemand" | "Scheduled" | "Window";
  readonly pullMode: "Incremental" | "Complete" | "Window";
  readonly windowFrom?: number;
  readonly windowTo?: number;
  readonly since?: FlatCheckpoint;
}

/** The counts one committed page adds. */
export interface PageDelta {
  readonly records: number;
  readonly bytesProcessed: number;
  readonly bytesWritten: number;
  readonly putFailures: number;
  readonly dropped: number;
  readonly deletions: number;
}

/** Per-flow state between executions. */
export interface SyncState {
  readonly lastCheckpoint: FlatCheckpoint | undefined;
  readonly lastWindowEnd: number | undefined;
  readonly consecutiveFailures: number;
}

/** Execution records, leases and checkpoints in our tables; every runner on every machine shares them. */
export class ExecutionStore {
  constructor(readonly clock: Clock) {}

  /** Creates an InProgress execution; CONFLICT when the flow already has an active one. */
  async create(tx: Queryable, e: NewExecution): Promise<string> {
    if (e.windowFrom !== undefined && e.windowTo !== undefined && e.windowTo < e.windowFrom) {
      throw invalid("window", `window [${e.windowFrom}, ${e.windowTo}) ends before it starts`);
    }
    const id = uuid();
    const now = this.clock.now();
    try {
      await tx
        .insertInto("flow_executions")
        .values({
          execution_id: id,
          flow_name: e.flowName,
          flow_arn: e.flowArn,
          status: "InProgress",
          active_flow: e.flowName,
          trigger_kind: e.trigger,
          pull_mode: e.pullMode,
          window_from: e.windowFrom ?? null,
          window_to: e.windowTo ?? null,
          since_checkpoint: e.since ? sinceCheckpointColumn.stringify(e.since) : null,
          checkpoint: null,
          read_done: 0,
          started_at: now,
          last_updated_at: now,
          finished_at: null,
          records_processed: 0,
          bytes_processed: 0,
          bytes_written: 0,
          put_failures_count: 0,
          records_dropped: 0,
          deletions_processed: 0,
          execution_message: "",
          attempt: 0,
          lease_owner: null,
          lease_expires_at: 0,
        })
        .execute();
    } catch (err) {
      // The unique index on active_flow is the guard; its violation is the "already running" answer.
      if (/active_flow|flow_executions_one_active/.test((err as Error).message)) {
        throw new ProfileflowError("CONFLICT", `Flow ${e.flowName} already has an execution in progress.`, {
          flowName: e.flowName,
        });
      }
      throw err;
    }
    return id;
  }

  /** The stored row of an execution. */
  async get(tx: Queryable, executionId: string): Promise<ExecutionRow | undefined> {
    return tx
      .selectFrom("flow_executions")
      .selectAll()
      .where("execution_id", "=", executionId)
      .executeTakeFirst();
  }

  /** The flow's active execution id, if any. */
  async activeExecution(tx: Queryable, flowName: string): Promise<string | undefined> {
    const r = await tx
      .selectFrom("flow_executions")
      .select("execution_id")
      .where("active_flow", "=", flowName)
      .executeTakeFirst();
    return r?.execution_id;
  }

  /** DescribeFlowExecutionRecords: newest first, `nextToken` is an opaque offset. */
  async list(
    q: Queryable,
    flowName: string,
    page: { maxResults?: number; nextToken?: string } = {},
  ): Promise<{ flowExecutions: ExecutionRecord[]; nextToken?: string }> {
    const max = page.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw invalid("maxResults", "maxResults must be 1-100");
    const offset = page.nextToken ? decodeToken(page.nextToken) : 0;
    const rows = await q
      .selectFrom("flow_executions")
      .selectAll()
      .where("flow_name", "=", flowName)
      .orderBy("started_at", "desc")
      .orderBy("execution_id", "desc")
      .limit(max + 1)
      .offset(offset)
      .execute();
    const more = rows.length > max;
    return {
      flowExecutions: rows.slice(0, max).map(toExecutionRecord),
      ...(more ? { nextToken: Buffer.from(String(offset + max)).toString("base64url") } : {}),
    };
  }

  /** DescribeFlow's `lastRunExecutionDetails` from the newest execution. */
  async lastRun(
    q: Queryable,
    flowName: string,
  ): Promise<
    | {
        mostRecentExecutionMessage: string;
        mostRecentExecutionTime: number;
        mostRecentExecutionStatus: ExecutionStatus;
      }
    | undefined
  > {
    const { flowExecutions } = await this.list(q, flowName, { maxResults: 1 });
    const r = flowExecutions[0];
    if (!r) return undefined;
    return {
      mostRecentExecutionMessage: r.executionResult.errorInfo.executionMessage,
      mostRecentExecutionTime: r.lastUpdatedAt,
      mostRecentExecutionStatus: r.executionStatus,
    };
  }

  /** Takes the lease of an active execution whose lease is free or expired; undefined when someone holds it. */
  async claim(
    q: Queryable,
    executionId: string,
    owner: string,
    ttlMs: number,
  ): Promise<ExecutionRow | undefined> {
    const now = this.clock.now();
    const r = await q
      .updateTable("flow_executions")
      .set({ lease_owner: owner, lease_expires_at: now + ttlMs })
      .where("execution_id", "=", executionId)
      .where("status", "in", activeStatuses)
      .where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_expires_at", "<", now)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return this.get(q, executionId);
  }

  /**
   * Extends a held lease; false when it was lost (expired and taken, or the execution ended), or when
   * the execution's status is not among `statuses`.
   */
  async heartbeat(
    tx: Queryable,
    executionId: string,
    owner: string,
    ttlMs: number,
    statuses: readonly ExecutionStatus[] = activeStatuses,
  ): Promise<boolean> {
    const r = await tx
      .updateTable("flow_executions")
      .set({ lease_expires_at: this.clock.now() + ttlMs })
      .where("execution_id", "=", executionId)
      .where("lease_owner", "=", owner)
      .where("status", "in", statuses)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Inside the page's transaction, first: fences the write on the lease (a runner that lost its lease
   * cannot commit) and records the checkpoint, window and counts. Returns the time recorded as
   * `checkpoint_at`; undefined → roll the page back. A cancel asked for meanwhile rolls it back, unless
   * `statuses` admits CancelStarted (the last part of a group whose first parts committed).
   */
  async commitPage(
    tx: Queryable,
    executionId: string,
    owner: string,
    ttlMs: number,
    page: {
      checkpoint: FlatCheckpoint;
      done: boolean;
      window?: { from: number; to: number };
      delta: PageDelta;
    },
    statuses: readonly ExecutionStatus[] = ["InProgress"],
  ): Promise<number | undefined> {
    const now = this.clock.now();
    const d = page.delta;
    const r = await tx
      .updateTable("flow_executions")
      .set((eb) => ({
        checkpoint: executionCheckpointColumn.stringify(page.checkpoint),
        read_done: page.done ? 1 : 0,
        ...(page.window ? { window_from: page.window.from, window_to: page.window.to } : {}),
        records_processed: eb("records_processed", "+", d.records),
        bytes_processed: eb("bytes_processed", "+", d.bytesProcessed),
        bytes_written: eb("bytes_written", "+", d.bytesWritten),
        put_failures_count: eb("put_failures_count", "+", d.putFailures),
        records_dropped: eb("records_dropped", "+", d.dropped),
        deletions_processed: eb("deletions_processed", "+", d.deletions),
        last_updated_at: now,
        checkpoint_at: now,
        lease_expires_at: now + ttlMs,
      }))
      .where("execution_id", "=", executionId)
      .where("lease_owner", "=", owner)
      .where("status", "in", statuses)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1 ? now : undefined;
  }

  /** Gives the lease back (drain, or a wait before a retry); the execution stays active. */
  async release(
    q: Queryable,
    executionId: string,
    owner: string,
    update: { message?: string; attempt?: number; until?: number } = {},
  ): Promise<void> {
    await q
      .updateTable("flow_executions")
      .set({
        lease_owner: null,
        // A wait keeps the sweep away until it is over; a drain frees the execution at once.
        lease_expires_at: update.until ?? 0,
        last_updated_at: this.clock.now(),
        ...(update.message !== undefined ? { execution_message: storableMessage(update.message) } : {}),
        ...(update.attempt !== undefined ? { attempt: update.attempt } : {}),
      })
      .where("execution_id", "=", executionId)
      .where("lease_owner", "=", owner)
      .execute();
  }

  /** Ends an execution (frees the flow's active slot); `owner` fences it unless undefined. */
  async finish(
    tx: Queryable,
    executionId: string,
    owner: string | undefined,
    status: Exclude<ExecutionStatus, "InProgress" | "CancelStarted">,
    message: string,
  ): Promise<boolean> {
    const now = this.clock.now();
    let q = tx
      .updateTable("flow_executions")
      .set({
        status,
        active_flow: null,
        execution_message: storableMessage(message),
        finished_at: now,
        last_updated_at: now,
        lease_owner: null,
        lease_expires_at: 0,
      })
      .where("execution_id", "=", executionId)
      .where("status", "in", activeStatuses);
    if (owner !== undefined) q = q.where("lease_owner", "=", owner);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * CancelFlowExecutions: the targets (all active ones when `executionIds` is empty) move to
   * CancelStarted; returns the ids that were not active and the rows now canceling.
   */
  async requestCancel(
    q: Queryable,
    flowName: string,
    executionIds: readonly string[],
  ): Promise<{ invalid: string[]; canceling: ExecutionRow[] }> {
    const active = await q
      .selectFrom("flow_executions")
      .select("execution_id")
      .where("flow_name", "=", flowName)
      .where("status", "in", activeStatuses)
      .execute();
    const ids = new Set(active.map((a) => a.execution_id));
    const targets = executionIds.length === 0 ? [...ids] : executionIds.filter((i) => ids.has(i));
    const invalid = executionIds.filter((i) => !ids.has(i));
    if (targets.length === 0) return { invalid, canceling: [] };
    await q
      .updateTable("flow_executions")
      .set({ status: "CancelStarted", last_updated_at: this.clock.now() })
      .where("execution_id", "in", targets)
      .where("status", "=", "InProgress")
      .execute();
    const canceling = await q
      .selectFrom("flow_executions")
      .selectAll()
      .where("execution_id", "in", targets)
      .where("status", "=", "CancelStarted")
      .execute();
    return { invalid, canceling };
  }

  /** Active executions whose lease is free or expired: a runner died, drained, or a wait is over. */
  async orphans(q: Queryable): Promise<ExecutionRow[]> {
    return q
      .selectFrom("flow_executions")
      .selectAll()
      .where("active_flow", "is not", null)
      .where("lease_expires_at", "<", this.clock.now())
      .execute();
  }

  /** The flow's state between executions. */
  async syncState(tx: Queryable, flowName: string): Promise<SyncState> {
    const r = await tx
      .selectFrom("flow_sync_state")
      .selectAll()
      .where("flow_name", "=", flowName)
      .executeTakeFirst();
    return {
      lastCheckpoint: r?.last_checkpoint ? lastCheckpointColumn.parse(r.last_checkpoint) : undefined,
      lastWindowEnd: r?.last_window_end ?? undefined,
      consecutiveFailures: r?.consecutive_failures ?? 0,
    };
  }

  /** Records an outcome: success stores where the next incremental run starts and clears the streak. */
  async recordOutcome(
    tx: Queryable,
    flowName: string,
    outcome: { ok: true; checkpoint?: FlatCheckpoint; windowEnd?: number } | { ok: false },
  ): Promise<number> {
    const prev = await this.syncState(tx, flowName);
    const failures = outcome.ok ? 0 : prev.consecutiveFailures + 1;
    const row = {
      last_checkpoint:
        outcome.ok && outcome.checkpoint
          ? lastCheckpointColumn.stringify(outcome.checkpoint)
          : prev.lastCheckpoint
            ? lastCheckpointColumn.stringify(prev.lastCheckpoint)
            : null,
      last_window_end: (outcome.ok ? outcome.windowEnd : undefined) ?? prev.lastWindowEnd ?? null,
      consecutive_failures: failures,
      updated_at: this.clock.now(),
    };
    await tx
      .insertInto("flow_sync_state")
      .values({ flow_name: flowName, ...row })
      .onConflict((oc) => oc.column("flow_name").doUpdateSet(row))
      .execute();
    return failures;
  }

  /** Forgets a deleted flow: its executions and its sync state. */
  async deleteFlow(tx: Queryable, flowName: string): Promise<void> {
    await tx.deleteFrom("flow_executions").where("flow_name", "=", flowName).execute();
    await tx.deleteFrom("flow_sync_state").where("flow_name", "=", flowName).execute();
  }
}

function decodeToken(token: string): number {
  const n = Number(Buffer.from(token, "base64url").toString());
  if (!Number.isInteger(n) || n < 0) throw invalid("nextToken", "nextToken is not valid");
  return n;
}

/**
 * An execution message can quote a vendor's value: U+0000 (which PostgreSQL's text refuses) and lone
 * surrogates become U+FFFD, so the message is stored the same on both dialects and never fails the write.
 */
const storableMessage = wellFormedText;
