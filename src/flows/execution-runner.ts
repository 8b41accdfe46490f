import type { Kysely } from "kysely";
import {
  type Connector,
  type ConnectorSpec,
  type FlatCheckpoint,
  isConnectorError,
  type ReadRequest,
  type Timer,
} from "../connectors/sdk/index.ts";
import type { Logger } from "../core/logger.ts";
import type { Database } from "../db/schema.ts";
import { executionCheckpointColumn, sinceCheckpointColumn } from "./checkpoint-columns.ts";
import type { ExecutionRow } from "./execution-record.ts";
import type { ExecutionStore } from "./execution-store.ts";
import { invertedWindowMessage } from "./failure-advice.ts";
import { type StoredFlow, sourceObject } from "./flow-definition.ts";
import type { ConnectorCatalog, ConnectorCredentialsResolver, FlowCatalog } from "./flow-ports.ts";
import type { InstanceGate } from "./instance-limits/instance-limits.ts";
import { type PreparedPage, preparePage, windowOfCheckpoint } from "./page-batch.ts";
import { ReadAhead, type ReadAheadLimits } from "./read-ahead.ts";
import type { RecordSink } from "./record-sink.ts";
import { compileTasks } from "./tasks/compile-tasks.ts";

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

/** A run that ended: its status, message, and (when successful) where it read to. */
export interface FinishedRun {
  readonly kind: "finished";
  readonly status: "Successful" | "Error" | "Canceled";
  readonly message: string;
  readonly checkpoint?: FlatCheckpoint;
  readonly windowEnd?: number;
}

/** How a run ended for this runner. */
export type RunResult =
  | FinishedRun
  /** The lease was given back; the execution continues when `at` comes (retry or quota pause). */
  | { readonly kind: "wait"; readonly at: number }
  /** Drained or lost the lease: someone (a restart, another runner) resumes it from its checkpoint. */
  | { readonly kind: "released" };

/** Stops a run at once: its lease is lost, or a cancel was requested (the row is CancelStarted). */
class Stop extends Error {}

/** What a run reads and writes, resolved from its flow before anything is opened. */
interface RunPlan {
  readonly flow: StoredFlow;
  readonly spec: ConnectorSpec;
  readonly profileName: string;
  readonly destination: { readonly domainName: string; readonly objectTypeName: string };
}

/** What the run has committed so far: counts, the last checkpoint and the window it read. */
interface RunState {
  totals: Totals;
  checkpoint: FlatCheckpoint | undefined;
  window: { from: number; to: number } | undefined;
}

/** An open source: its pages, and what closes it (read-ahead, connector, instance slot). */
interface OpenSource {
  readonly pages: ReadAhead;
  close(): Promise<void>;
}

/** Runs (or resumes) one execution whose lease `owner` holds, page by page, until it ends or must stop. */
export async function runExecution(
  deps: RunnerDeps,
  row: ExecutionRow,
  owner: string,
  signal: AbortSignal,
): Promise<RunResult> {
  const id = row.execution_id;
  const fail = (message: string) => failRun(deps, id, owner, message);
  if (row.status === "CancelStarted")
    return endCanceled(deps, id, owner, "Canceled on request before it resumed.");
  const plan = await planRun(deps, row);
  if (typeof plan === "string") return fail(plan);
  const checkpoint = row.checkpoint ? executionCheckpointColumn.parse(row.checkpoint) : undefined;
  const state: RunState = { totals: counts(row), checkpoint, window: windowOfCheckpoint(checkpoint) };
  const lost = new AbortController();
  const beat = setInterval(() => {
    void deps.store.heartbeat(deps.db, id, owner, deps.leaseTtlMs).then(
      (ok) => ok || lost.abort(),
      (e) => deps.logger?.warn({ err: e, executionId: id }, "execution heartbeat failed"),
    );
  }, deps.heartbeatIntervalMs);
  beat.unref?.();
  let source: OpenSource | undefined;
  try {
    if (row.read_done !== 1) {
      const opened = await openSource(deps, row, plan, owner, state.checkpoint);
      if (!("pages" in opened)) return opened;
      source = opened;
      const ended = await readPages(deps, row, plan, owner, state, source.pages, {
        lost: lost.signal,
        signal,
      });
      if (ended) return ended;
    }
    return await succeed(deps, row, owner, state);
  } catch (e) {
    if (e instanceof Stop)
      return endCanceled(deps, id, owner, `Canceled on request after ${summary(state.totals)}.`);
    return handleFailure(deps, row, owner, e, state.totals, fail);
  } finally {
    clearInterval(beat);
    await source?.close();
  }
}

/** Ends the run as Error (fenced on the lease); released when another runner holds it. */
async function failRun(deps: RunnerDeps, id: string, owner: string, message: string): Promise<RunResult> {
  return (await deps.store.finish(deps.db, id, owner, "Error", message))
    ? { kind: "finished", status: "Error", message }
    : { kind: "released" };
}

/**
 * The one place a run ends on a cancel (before it resumed, between pages, or when a page's commit found
 * the row CancelStarted): Canceled while this runner still holds it, else released to whoever does.
 */
async function endCanceled(deps: RunnerDeps, id: string, owner: string, message: string): Promise<RunResult> {
  const now = await deps.store.get(deps.db, id);
  if (now?.status !== "CancelStarted" || now.lease_owner !== owner) return { kind: "released" };
  if (!(await deps.store.finish(deps.db, id, owner, "Canceled", message))) return { kind: "released" };
  return { kind: "finished", status: "Canceled", message };
}

/** The flow, connector, profile and destination of a run, or why it cannot run. */
async function planRun(deps: RunnerDeps, row: ExecutionRow): Promise<RunPlan | string> {
  const flow = await deps.flows.getFlow(row.flow_name);
  if (!flow) return `Flow ${row.flow_name} does not exist any more.`;
  const source = flow.definition.sourceFlowConfig;
  const spec = deps.connectors[source.connectorType];
  if (!spec) return `No connector is installed for connector type ${source.connectorType}.`;
  const profileName = source.connectorProfileName;
  if (!profileName) return "The flow's source names no connectorProfileName.";
  const dest = flow.definition.destinationFlowConfigList[0]?.destinationConnectorProperties.CustomerProfiles;
  if (!dest) return "The flow has no CustomerProfiles destination.";
  return {
    flow,
    spec,
    profileName,
    destination: { domainName: dest.domainName, objectTypeName: dest.objectTypeName ?? "" },
  };
}

/** Opens the connector on the profile, within the instance's limits; a wait or a failure ends the run. */
async function openSource(
  deps: RunnerDeps,
  row: ExecutionRow,
  plan: RunPlan,
  owner: string,
  checkpoint: FlatCheckpoint | undefined,
): Promise<OpenSource | RunResult> {
  const id = row.execution_id;
  const connectorType = plan.flow.definition.sourceFlowConfig.connectorType;
  let profile: Awaited<ReturnType<ConnectorCredentialsResolver["resolve"]>>;
  try {
    profile = await deps.credentials.resolve(plan.profileName);
  } catch (e) {
    return failRun(
      deps,
      id,
      owner,
      `Connector profile ${plan.profileName} could not be opened: ${(e as Error).message}`,
    );
  }
  const gate = await deps.instanceLimits?.enter({
    connectorType,
    instanceUrl: profile.instanceUrl,
    executionId: id,
    owner,
    backfill: row.trigger_kind === "Window",
  });
  if (gate && !gate.ok) {
    const message = `Waiting for the source: ${gate.reason}.`;
    await deps.store.release(deps.db, id, owner, { message, until: gate.retryAt });
    return { kind: "wait", at: gate.retryAt };
  }
  const leave = async () => {
    await gate?.leave?.().catch(() => {});
  };
  let connector: Connector | undefined;
  try {
    connector = plan.spec.open(profile, {
      timer: deps.timer,
      onRefreshToken: (t) => deps.credentials.saveRefreshToken?.(plan.profileName, t),
      ...(gate?.budget ? { rateBudget: gate.budget } : {}),
    });
    const request = readRequest(row, sourceObject(plan.flow.definition.sourceFlowConfig), checkpoint);
    const pages = new ReadAhead(connector.read(request), deps.readAhead ?? DEFAULT_READ_AHEAD);
    const open = connector;
    return {
      pages,
      close: async () => {
        await pages.abandon();
        await open.close().catch(() => {});
        await leave();
      },
    };
  } catch (e) {
    await connector?.close().catch(() => {});
    await leave();
    throw e;
  }
}

/**
 * Reads page groups and commits each with its checkpoint. Returns how the run ended when it ended here
 * (a failure, a shutdown); undefined when the read is done. Throws Stop on a lost lease or a cancel.
 */
async function readPages(
  deps: RunnerDeps,
  row: ExecutionRow,
  plan: RunPlan,
  owner: string,
  state: RunState,
  pages: ReadAhead,
  stops: { lost: AbortSignal; signal: AbortSignal },
): Promise<RunResult | undefined> {
  const id = row.execution_id;
  const tasks = compileTasks(plan.flow.definition.tasks);
  for (let group = await pages.nextGroup(); group !== undefined; group = await pages.nextGroup()) {
    if (stops.lost.aborted) throw new Stop();
    // A connector whose "now" is behind where the last run ended reads a window that ends before it
    // starts: nothing of it is written or recorded, and the flow's checkpoint stays where it was.
    const inverted = group.map((p) => windowOfCheckpoint(p.checkpoint)).find((w) => w && w.to < w.from);
    if (inverted) return failRun(deps, id, owner, invertedWindowMessage(inverted));
    const { prepared, terminate } = prepareGroup(group, tasks);
    // A page a Validate task terminates commits nothing; the pages before it in the group do.
    const written = group.slice(0, prepared.length);
    if (written.length > 0) await commitGroup(deps, row, plan, owner, state, { written, prepared });
    if (terminate !== undefined) return failRun(deps, id, owner, terminate);
    if (written[written.length - 1]?.done) return undefined;
    if (stops.signal.aborted) {
      const message = `Interrupted by shutdown after ${summary(state.totals)}; resumes.`;
      await deps.store.release(deps.db, id, owner, { message });
      return { kind: "released" };
    }
    if ((await deps.store.get(deps.db, id))?.status === "CancelStarted") throw new Stop();
  }
  return undefined;
}

type Page = Parameters<typeof preparePage>[0];

/** The group's pages through the tasks, up to the first one a Validate task terminates. */
function prepareGroup(
  group: readonly Page[],
  tasks: ReturnType<typeof compileTasks>,
): { prepared: PreparedPage[]; terminate: string | undefined } {
  const prepared: PreparedPage[] = [];
  for (const page of group) {
    const p = preparePage(page, tasks);
    if (p.terminate) return { prepared, terminate: p.terminate };
    prepared.push(p);
  }
  return { prepared, terminate: undefined };
}

/** One transaction: the lease fence, the sink's writes, and the checkpoint, window and counts. */
async function commitGroup(
  deps: RunnerDeps,
  row: ExecutionRow,
  plan: RunPlan,
  owner: string,
  state: RunState,
  group: { written: readonly Page[]; prepared: readonly PreparedPage[] },
): Promise<void> {
  const id = row.execution_id;
  const { written, prepared } = group;
  const last = written[written.length - 1]!;
  let window = state.window;
  for (const page of written) window = windowOfCheckpoint(page.checkpoint) ?? window;
  const delta = await deps.db.transaction().execute(async (tx) => {
    const records = prepared.flatMap((p) => p.records);
    const rejected = prepared.flatMap((p) => p.rejected);
    // Only a group's last page may carry deletions (ReadAhead ends groups there): they follow every record.
    const deletions = written.flatMap((p) => p.deletions);
    const res = await deps.sink.writeBatch(tx, {
      flow: plan.flow,
      executionId: id,
      ...plan.destination,
      records,
      deletions,
      rejected,
    });
    // The fence after the sink: the row lock and lease check keep a runner that lost its lease from
    // committing (its writes roll back). The sink takes the domain's lock first, as DeleteDomain does
    // before it locks this row; the other order deadlocks the two on PostgreSQL.
    if (!(await deps.store.heartbeat(tx, id, owner, deps.leaseTtlMs))) throw new Stop();
    const d = {
      records: records.length,
      bytesProcessed: prepared.reduce((n, p) => n + p.bytesProcessed, 0),
      bytesWritten: res.bytesWritten,
      putFailures: res.failed.length + rejected.length,
      dropped: prepared.reduce((n, p) => n + p.dropped, 0),
      deletions: deletions.length,
    };
    const page = { checkpoint: last.checkpoint, done: last.done, ...(window ? { window } : {}), delta: d };
    if (!(await deps.store.commitPage(tx, id, owner, deps.leaseTtlMs, page))) throw new Stop();
    return d;
  });
  state.totals = add(state.totals, delta);
  state.checkpoint = last.checkpoint;
  state.window = window;
}

/** Ends a read that is done as Successful, with where it read to. */
async function succeed(
  deps: RunnerDeps,
  row: ExecutionRow,
  owner: string,
  state: RunState,
): Promise<RunResult> {
  const message = `Successful: ${summary(state.totals)}.`;
  if (!(await deps.store.finish(deps.db, row.execution_id, owner, "Successful", message)))
    return { kind: "released" };
  const { checkpoint, window } = state;
  return {
    kind: "finished",
    status: "Successful",
    message,
    ...(checkpoint ? { checkpoint } : {}),
    ...(window ? { windowEnd: window.to } : row.window_to !== null ? { windowEnd: row.window_to } : {}),
  };
}

/** Transient failures retry from the checkpoint with backoff; quota pauses; anything else fails the run. */
async function handleFailure(
  deps: RunnerDeps,
  row: ExecutionRow,
  owner: string,
  e: unknown,
  totals: Totals,
  fail: (m: string) => Promise<RunResult>,
): Promise<RunResult> {
  const now = deps.store.clock.now();
  const reason = e instanceof Error ? e.message : String(e);
  if (isConnectorError(e, "quota_exhausted")) {
    const at = e.resetAt ?? now + 3_600_000;
    const message = `Paused until ${new Date(at).toISOString()}: the source's API quota is exhausted (${reason}).`;
    await deps.store.release(deps.db, row.execution_id, owner, { message, until: at });
    return { kind: "wait", at };
  }
  if (isConnectorError(e, "transient") || isConnectorError(e, "rate_limited")) {
    const attempt = row.attempt + 1;
    if (attempt >= deps.maxTransientAttempts) {
      return fail(`Failed after ${attempt} attempts with transient source errors; last: ${reason}`);
    }
    const at = now + Math.max(e.retryAfterMs ?? 0, deps.retryBaseMs * 2 ** (attempt - 1));
    const message = `Retrying at ${new Date(at).toISOString()} after a transient source error (attempt ${attempt} of ${deps.maxTransientAttempts}, ${summary(totals)} so far): ${reason}`;
    await deps.store.release(deps.db, row.execution_id, owner, { message, attempt, until: at });
    return { kind: "wait", at };
  }
  if (isConnectorError(e, "auth")) return fail(`The source rejected the credentials: ${reason}`);
  if (isConnectorError(e, "config")) return fail(`The source refused the request: ${reason}`);
  deps.logger?.error({ err: e, executionId: row.execution_id }, "execution failed");
  return fail(`Internal error: ${reason}`);
}

function readRequest(row: ExecutionRow, object: string, resume: FlatCheckpoint | undefined): ReadRequest {
  if (row.pull_mode === "Window") {
    const window = { from: row.window_from ?? 0, to: row.window_to ?? 0 };
    return resume ? { object, window, resume } : { object, window };
  }
  if (resume) return { object, since: resume };
  if (row.pull_mode === "Incremental" && row.since_checkpoint) {
    return { object, since: sinceCheckpointColumn.parse(row.since_checkpoint) };
  }
  return { object, since: row.window_from ?? 0 };
}

interface Totals {
  records: number;
  putFailures: number;
  dropped: number;
  deletions: number;
}

function counts(r: ExecutionRow): Totals {
  return {
    records: r.records_processed,
    putFailures: r.put_failures_count,
    dropped: r.records_dropped,
    deletions: r.deletions_processed,
  };
}

function add(t: Totals, d: Totals): Totals {
  return {
    records: t.records + d.records,
    putFailures: t.putFailures + d.putFailures,
    dropped: t.dropped + d.dropped,
    deletions: t.deletions + d.deletions,
  };
}

function summary(t: Totals): string {
  return `${t.records} records processed, ${t.putFailures} put failures, ${t.dropped} dropped by validation, ${t.deletions} deletions`;
}
