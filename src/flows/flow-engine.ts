import { systemTimer, type Timer } from "../connectors/sdk/index.ts";
import type { Clock } from "../core/clock.ts";
import { invalid, ProfileflowError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Queryable } from "../db/queryable.ts";
import type { CommitBudget } from "./commit-pacer.ts";
import type { ExecutionRecord, ExecutionRow, ExecutionStatus } from "./execution-record.ts";
import { runExecution } from "./execution-runner.ts";
import { ExecutionStore, type NewExecution } from "./execution-store.ts";
import type { Executor, JobContext, JobOutcome, JobPayload } from "./executor.ts";
import { type StoredFlow, sourceObject } from "./flow-definition.ts";
import type { ConnectorCatalog, ConnectorCredentialsResolver, FlowCatalog } from "./flow-ports.ts";
import type { FlowRunner } from "./flow-runner.ts";
import type { InstanceGate } from "./instance-limits/instance-limits.ts";
import type { ReadAheadLimits } from "./read-ahead.ts";
import type { RecordSink } from "./record-sink.ts";
import type { FinishedRun } from "./run-result.ts";
import type { RunnerDeps } from "./runner-deps.ts";
import { parseScheduleExpression } from "./schedule-expression.ts";

/** Told when an execution ends (workflows wait on their steps through this). */
export interface ExecutionFinished {
  readonly flowName: string;
  readonly executionId: string;
  readonly status: Exclude<ExecutionStatus, "InProgress" | "CancelStarted">;
  readonly message: string;
  readonly trigger: string;
  /** Where the read ended (the connector's window end), when known. */
  readonly windowEnd?: number;
}

export interface FlowEngineOptions {
  readonly db: Queryable;
  readonly clock: Clock;
  readonly executor: Executor;
  readonly sink: RecordSink;
  readonly flows: FlowCatalog;
  readonly connectors: ConnectorCatalog;
  readonly credentials: ConnectorCredentialsResolver;
  /** The connectors' time and sleeps; default the system timer. */
  readonly timer?: Timer;
  readonly logger?: Logger;
  /** Execution lease TTL (clock ms); default 30 s. */
  readonly leaseTtlMs?: number;
  /** Real ms between lease heartbeats; default 10 s. */
  readonly heartbeatIntervalMs?: number;
  /** Transient failures per execution before it errors; default 3. */
  readonly maxTransientAttempts?: number;
  /** First retry delay (doubles each attempt); default 30 s. */
  readonly retryBaseMs?: number;
  readonly onFinished?: (e: ExecutionFinished) => void | Promise<void>;
  /** Per-instance limits shared by all workers (src/flows/instance-limits); absent: none. */
  readonly instanceLimits?: InstanceGate;
  /** Pages read ahead and records per commit; default DEFAULT_READ_AHEAD (src/flows/runner-deps.ts). */
  readonly readAhead?: ReadAheadLimits;
  /** How long a transaction of a page group may hold the database; default DEFAULT_COMMIT_BUDGET. */
  readonly commitBudget?: CommitBudget;
  /** Whether API requests are in flight in this process: pages are then committed in smaller parts. */
  readonly requestsWaiting?: () => boolean;
}

const RUN = "flows.run";
const TICK = "flows.tick";
const SWEEP = "flows.sweep";
const SWEEP_KEY = "flows:sweep";

/**
 * The flows execution engine: starts executions (on demand, on schedule, bounded windows for workflow
 * steps), runs them through the Executor, resumes orphaned ones from their checkpoints, and keeps
 * execution records. All state is in our tables, so any runner on any machine can continue any run.
 */
export class FlowEngine implements FlowRunner {
  readonly executions: ExecutionStore;
  readonly #o: FlowEngineOptions;
  readonly #deps: RunnerDeps;
  readonly #ttl: number;
  /** Executions this process is running now. */
  #running = 0;

  constructor(o: FlowEngineOptions) {
    this.#o = o;
    this.#ttl = o.leaseTtlMs ?? 30_000;
    this.executions = new ExecutionStore(o.clock);
    this.#deps = {
      db: o.db,
      store: this.executions,
      sink: o.sink,
      flows: o.flows,
      connectors: o.connectors,
      credentials: o.credentials,
      timer: o.timer ?? systemTimer,
      leaseTtlMs: this.#ttl,
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? 10_000,
      maxTransientAttempts: o.maxTransientAttempts ?? 3,
      retryBaseMs: o.retryBaseMs ?? 30_000,
      logger: o.logger,
      instanceLimits: o.instanceLimits,
      readAhead: o.readAhead,
      commitBudget: o.commitBudget,
      requestsWaiting: o.requestsWaiting,
      otherRuns: () => this.#running > 1,
    };
    o.executor.define(RUN, (p, ctx) => this.#run(p, ctx));
    o.executor.define(TICK, (p) => this.#tick(p));
    o.executor.define(SWEEP, () => this.recover());
  }

  /** Installs the orphan sweep (every half lease TTL) and resumes orphans now; call once per process. */
  async init(): Promise<void> {
    const every = Math.max(1000, Math.floor(this.#ttl / 2));
    await this.#o.executor.schedule(this.#o.db, {
      key: SWEEP_KEY,
      task: SWEEP,
      payload: {},
      everyMs: every,
      startAt: 0,
    });
    await this.recover();
  }

  /** init() then starts the executor's background loop (`profileflow serve` / `worker`). */
  async start(): Promise<void> {
    await this.init();
    this.#o.executor.start();
  }

  /** SIGTERM: running executions finish their page, commit, and give their leases back. */
  async drain(): Promise<void> {
    await this.#o.executor.drain();
  }

  /** StartFlow on a Scheduled flow: runs it on its `rate(...)` schedule from scheduleStartTime (or now). */
  async activateIn(tx: Queryable, flow: StoredFlow): Promise<void> {
    const trigger = flow.definition.triggerConfig;
    if (trigger.triggerType !== "Scheduled") return;
    const props = trigger.triggerProperties?.Scheduled;
    if (!props) throw invalid("triggerProperties", "A Scheduled flow needs triggerProperties.Scheduled.");
    const everyMs = parseScheduleExpression(props.scheduleExpression);
    const now = this.#o.clock.now();
    const startAt = Math.max(props.scheduleStartTime ?? now, now) + (props.scheduleOffset ?? 0) * 1000;
    await this.#o.executor.schedule(tx, {
      key: scheduleKey(flow.definition.flowName),
      task: TICK,
      payload: { flowName: flow.definition.flowName },
      everyMs,
      startAt,
      ...(props.scheduleEndTime !== undefined ? { endAt: props.scheduleEndTime } : {}),
    });
  }

  /** StopFlow / DeleteFlow: no further scheduled runs (a running one finishes). */
  async deactivateIn(tx: Queryable, flowName: string): Promise<void> {
    await this.#o.executor.unschedule(tx, scheduleKey(flowName));
  }

  /** StartFlow on an OnDemand flow: a Complete pull now; CONFLICT while one is active. */
  async startOnDemandIn(tx: Queryable, flow: StoredFlow): Promise<string> {
    return this.#startExecutionIn(tx, {
      flowName: flow.definition.flowName,
      flowArn: flow.flowArn,
      trigger: "OnDemand",
      pullMode: "Complete",
      windowFrom: 0,
      windowTo: this.#o.clock.now(),
    });
  }

  /** A bounded read of `[from, to)` for a workflow step; the flow's own schedule is not involved. */
  async runBoundedWindowIn(tx: Queryable, flow: StoredFlow, from: number, to: number): Promise<string> {
    if (!(from < to)) throw invalid("window", `window [${from}, ${to}) is empty`);
    return this.#startExecutionIn(tx, {
      flowName: flow.definition.flowName,
      flowArn: flow.flowArn,
      trigger: "Window",
      pullMode: "Window",
      windowFrom: from,
      windowTo: to,
    });
  }

  /** runBoundedWindowIn in a transaction of its own. */
  async runBoundedWindow(flow: StoredFlow, from: number, to: number): Promise<string> {
    return this.#o.db.transaction().execute((tx) => this.runBoundedWindowIn(tx, flow, from, to));
  }

  /** CancelFlowExecutions: empty `executionIds` cancels all active ones; returns the invalid ids. */
  async cancelIn(
    tx: Queryable,
    flowName: string,
    executionIds: readonly string[],
  ): Promise<{ invalidExecutions: string[] }> {
    const { invalid: invalidExecutions, canceling } = await this.executions.requestCancel(
      tx,
      flowName,
      executionIds,
    );
    // An execution waiting for a retry holds no lease: end it now rather than at its next run.
    for (const row of canceling) if (row.lease_owner === null) await this.#enqueueRun(tx, row);
    return { invalidExecutions };
  }

  /** True while an execution of the flow is in progress. */
  async isRunning(q: Queryable, flowName: string): Promise<boolean> {
    return (await this.executions.activeExecution(q, flowName)) !== undefined;
  }

  /** DescribeFlowExecutionRecords: newest first, paged by an opaque token. */
  async listExecutions(
    q: Queryable,
    flowName: string,
    page: { limit: number; after?: string | undefined },
  ): Promise<{ items: ExecutionRecord[]; next?: string | undefined }> {
    const { flowExecutions, nextToken } = await this.executions.list(q, flowName, {
      maxResults: page.limit,
      ...(page.after ? { nextToken: page.after } : {}),
    });
    return { items: flowExecutions, next: nextToken };
  }

  /** DeleteFlow: unschedules the flow and forgets its executions and sync state. */
  async forgetIn(tx: Queryable, flowName: string): Promise<void> {
    await this.#o.executor.unschedule(tx, scheduleKey(flowName));
    await this.executions.deleteFlow(tx, flowName);
  }

  /** Re-enqueues every active execution whose lease expired (a dead runner's): it resumes from its checkpoint. */
  async recover(): Promise<undefined> {
    const db = this.#o.db;
    for (const row of await this.executions.orphans(db)) await this.#enqueueRun(db, row, true);
    return undefined;
  }

  async #startExecutionIn(tx: Queryable, e: NewExecution): Promise<string> {
    const id = await this.executions.create(tx, e);
    await this.#o.executor.enqueue(tx, runJob(e.flowName, id, e.trigger));
    return id;
  }

  async #enqueueRun(q: Queryable, row: ExecutionRow, preserve = false): Promise<void> {
    await this.#o.executor.enqueue(q, {
      ...runJob(row.flow_name, row.execution_id, row.trigger_kind),
      keyMode: preserve ? "preserve" : "replace",
    });
  }

  async #tick(payload: JobPayload): Promise<JobOutcome> {
    const flowName = payload["flowName"];
    if (typeof flowName !== "string") throw new Error("flows.tick payload has no flowName");
    const flow = await this.#o.flows.getFlow(flowName);
    if (flow?.flowStatus !== "Active") {
      this.#o.logger?.info(
        { flowName, status: flow?.flowStatus ?? "missing" },
        "scheduled run skipped: the flow is not active",
      );
      return undefined;
    }
    try {
      await this.#o.db.transaction().execute(async (tx) => {
        if (await this.isRunning(tx, flowName)) {
          this.#o.logger?.info({ flowName }, "scheduled run skipped: the previous execution is still active");
          return;
        }
        await this.#startExecutionIn(tx, await this.#scheduledRun(tx, flow));
      });
    } catch (e) {
      if (e instanceof ProfileflowError && e.code === "CONFLICT") {
        this.#o.logger?.info({ flowName }, "scheduled run skipped: an execution is already active");
        return undefined;
      }
      throw e;
    }
    return undefined;
  }

  /** The execution one scheduled tick starts: a Complete pull, or the next incremental window. */
  async #scheduledRun(q: Queryable, flow: StoredFlow): Promise<NewExecution> {
    const flowName = flow.definition.flowName;
    const props = flow.definition.triggerConfig.triggerProperties?.Scheduled;
    const base = { flowName, flowArn: flow.flowArn, trigger: "Scheduled" as const };
    if (props?.dataPullMode === "Complete") {
      return { ...base, pullMode: "Complete", windowFrom: 0, windowTo: this.#o.clock.now() };
    }
    const state = await this.executions.syncState(q, flowName);
    const lookback = this.#lookbackMs(flow);
    // No end yet: an incremental window ends at the source's now, which only the connector knows (the
    // source's clock may run far from ours, 60× in the demo); its first page records the window it reads.
    return {
      ...base,
      pullMode: "Incremental",
      windowFrom:
        state.lastWindowEnd !== undefined ? state.lastWindowEnd - lookback : (props?.firstExecutionFrom ?? 0),
      ...(state.lastCheckpoint ? { since: state.lastCheckpoint } : {}),
    };
  }

  #lookbackMs(flow: StoredFlow): number {
    const spec = this.#o.connectors[flow.definition.sourceFlowConfig.connectorType];
    const object = sourceObject(flow.definition.sourceFlowConfig);
    return (spec?.objects as Record<string, { lookbackMs: number }> | undefined)?.[object]?.lookbackMs ?? 0;
  }

  async #run(payload: JobPayload, ctx: JobContext): Promise<JobOutcome> {
    const executionId = payload["executionId"];
    if (typeof executionId !== "string") throw new Error("flows.run payload has no executionId");
    const db = this.#o.db;
    const row = await this.executions.claim(db, executionId, ctx.workerId, this.#ttl);
    if (!row) return undefined; // ended, or another runner holds a live lease
    this.#running++;
    const result = await runExecution(this.#deps, row, ctx.workerId, ctx.signal).finally(() => {
      this.#running--;
    });
    if (result.kind === "wait") return { rerunAt: result.at };
    if (result.kind === "released") return undefined;
    if (row.trigger_kind === "Scheduled" && result.status !== "Canceled") {
      await this.#recordScheduledOutcome(row, result);
    }
    await this.#finished(
      row.flow_name,
      executionId,
      row.trigger_kind,
      result.status,
      result.message,
      result.windowEnd,
    );
    return undefined;
  }

  /** A scheduled run's outcome: where the next incremental run starts, or one more consecutive failure. */
  async #recordScheduledOutcome(row: ExecutionRow, result: FinishedRun): Promise<void> {
    const failures = await this.executions.recordOutcome(
      this.#o.db,
      row.flow_name,
      result.status === "Successful"
        ? {
            ok: true,
            ...(row.pull_mode === "Incremental" && result.checkpoint
              ? { checkpoint: result.checkpoint }
              : {}),
            ...(result.windowEnd !== undefined ? { windowEnd: result.windowEnd } : {}),
          }
        : { ok: false },
    );
    await this.#maybeSuspend(row.flow_name, failures, result.message);
  }

  async #maybeSuspend(flowName: string, failures: number, lastMessage: string): Promise<void> {
    if (failures === 0) return;
    const flow = await this.#o.flows.getFlow(flowName);
    const threshold =
      flow?.definition.triggerConfig.triggerProperties?.Scheduled?.flowErrorDeactivationThreshold;
    if (threshold === undefined || failures < threshold) return;
    const message = `The flow was deactivated after ${failures} consecutive failed executions. Last error: ${lastMessage}`;
    // Unscheduled and Suspended together: never Suspended on a schedule, nor Active without one.
    await this.#o.db.transaction().execute(async (tx) => {
      await this.deactivateIn(tx, flowName);
      await this.#o.flows.setFlowStatus(tx, flowName, "Suspended", message);
    });
  }

  async #finished(
    flowName: string,
    executionId: string,
    trigger: string,
    status: ExecutionFinished["status"],
    message: string,
    windowEnd?: number,
  ): Promise<void> {
    try {
      await this.#o.onFinished?.({
        flowName,
        executionId,
        status,
        message,
        trigger,
        ...(windowEnd !== undefined ? { windowEnd } : {}),
      });
    } catch (e) {
      this.#o.logger?.error({ err: e, executionId }, "onFinished listener failed");
    }
  }
}

function scheduleKey(flowName: string): string {
  return `flow:${flowName}:schedule`;
}

/** Backfill steps (bounded windows) run after due incremental and on-demand runs (lower runs first). */
function runJob(flowName: string, executionId: string, trigger: string) {
  return {
    task: RUN,
    payload: { executionId },
    key: `exec:${executionId}`,
    queue: `flow:${flowName}`,
    priority: trigger === "Window" ? 10 : 0,
  } as const;
}
