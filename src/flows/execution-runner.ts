import type { Kysely } from "kysely";
import {
  type Connector,
  type FlatCheckpoint,
  isConnectorError,
  type ReadRequest,
  type Timer,
} from "../connectors/sdk/index.ts";
import type { Logger } from "../core/logger.ts";
import type { Database } from "../db/schema.ts";
import type { ExecutionRow } from "./execution-record.ts";
import type { ExecutionStore } from "./execution-store.ts";
import { invertedWindowMessage } from "./failure-advice.ts";
import { sourceObject } from "./flow-definition.ts";
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

class LeaseLost extends Error {}

/** Runs (or resumes) one execution whose lease `owner` holds, page by page, until it ends or must stop. */
export async function runExecution(
  deps: RunnerDeps,
  row: ExecutionRow,
  owner: string,
  signal: AbortSignal,
): Promise<RunResult> {
  const { store } = deps;
  const id = row.execution_id;
  const fail = async (message: string): Promise<RunResult> => {
    return (await store.finish(deps.db, id, owner, "Error", message))
      ? { kind: "finished", status: "Error", message }
      : { kind: "released" };
  };
  const flow = await deps.flows.getFlow(row.flow_name);
  if (!flow) return fail(`Flow ${row.flow_name} does not exist any more.`);
  const source = flow.definition.sourceFlowConfig;
  const spec = deps.connectors[source.connectorType];
  if (!spec) return fail(`No connector is installed for connector type ${source.connectorType}.`);
  const profileName = source.connectorProfileName;
  if (!profileName) return fail("The flow's source names no connectorProfileName.");
  const dest = flow.definition.destinationFlowConfigList[0]?.destinationConnectorProperties.CustomerProfiles;
  if (!dest) return fail("The flow has no CustomerProfiles destination.");

  let totals = counts(row);
  let connector: Connector | undefined;
  let pages: ReadAhead | undefined;
  let leave: (() => Promise<void>) | undefined;
  const lost = new AbortController();
  const beat = setInterval(() => {
    void store.heartbeat(deps.db, id, owner, deps.leaseTtlMs).then(
      (ok) => ok || lost.abort(),
      (e) => deps.logger?.warn({ err: e, executionId: id }, "execution heartbeat failed"),
    );
  }, deps.heartbeatIntervalMs);
  beat.unref?.();
  try {
    let checkpoint = row.checkpoint ? (JSON.parse(row.checkpoint) as FlatCheckpoint) : undefined;
    let window = windowOfCheckpoint(checkpoint);
    if (row.read_done !== 1) {
      let profile: Awaited<ReturnType<ConnectorCredentialsResolver["resolve"]>>;
      try {
        profile = await deps.credentials.resolve(profileName);
      } catch (e) {
        return fail(`Connector profile ${profileName} could not be opened: ${(e as Error).message}`);
      }
      const gate = await deps.instanceLimits?.enter({
        connectorType: source.connectorType,
        instanceUrl: profile.instanceUrl,
        executionId: id,
        owner,
        backfill: row.trigger_kind === "Window",
      });
      if (gate && !gate.ok) {
        await store.release(deps.db, id, owner, {
          message: `Waiting for the source: ${gate.reason}.`,
          until: gate.retryAt,
        });
        return { kind: "wait", at: gate.retryAt };
      }
      leave = gate?.leave;
      connector = spec.open(profile, {
        timer: deps.timer,
        onRefreshToken: (t) => deps.credentials.saveRefreshToken?.(profileName, t),
        ...(gate?.budget ? { rateBudget: gate.budget } : {}),
      });
      const tasks = compileTasks(flow.definition.tasks);
      const request = readRequest(row, sourceObject(source), checkpoint);
      pages = new ReadAhead(connector.read(request), deps.readAhead ?? DEFAULT_READ_AHEAD);
      for (let group = await pages.nextGroup(); group !== undefined; group = await pages.nextGroup()) {
        if (lost.signal.aborted) throw new LeaseLost();
        // A connector whose "now" is behind where the last run ended reads a window that ends before it
        // starts: nothing of it is written or recorded, and the flow's checkpoint stays where it was.
        const inverted = group.map((p) => windowOfCheckpoint(p.checkpoint)).find((w) => w && w.to < w.from);
        if (inverted) return fail(invertedWindowMessage(inverted));
        const prepared: PreparedPage[] = [];
        let terminate: string | undefined;
        for (const page of group) {
          const p = preparePage(page, tasks);
          if (p.terminate) {
            terminate = p.terminate;
            break;
          }
          prepared.push(p);
        }
        // A page a Validate task terminates commits nothing; the pages before it in the group do.
        const written = group.slice(0, prepared.length);
        const last = written[written.length - 1];
        if (last) {
          for (const page of written) window = windowOfCheckpoint(page.checkpoint) ?? window;
          const groupWindow = window;
          await deps.sink.prepare?.({
            domainName: dest.domainName,
            objectTypeName: dest.objectTypeName ?? "",
          });
          await deps.db.transaction().execute(async (tx) => {
            // Fence first: the row lock and lease check keep a runner that lost its lease from writing.
            if (!(await store.heartbeat(tx, id, owner, deps.leaseTtlMs))) throw new LeaseLost();
            const records = prepared.flatMap((p) => p.records);
            const rejected = prepared.flatMap((p) => p.rejected);
            // Only a group's last page may carry deletions (ReadAhead ends groups there): they follow every record.
            const deletions = written.flatMap((p) => p.deletions);
            const res = await deps.sink.writeBatch(tx, {
              flow,
              executionId: id,
              domainName: dest.domainName,
              objectTypeName: dest.objectTypeName ?? "",
              records,
              deletions,
              rejected,
            });
            const delta = {
              records: records.length,
              bytesProcessed: prepared.reduce((n, p) => n + p.bytesProcessed, 0),
              bytesWritten: res.bytesWritten,
              putFailures: res.failed.length + rejected.length,
              dropped: prepared.reduce((n, p) => n + p.dropped, 0),
              deletions: deletions.length,
            };
            const ok = await store.commitPage(tx, id, owner, deps.leaseTtlMs, {
              checkpoint: last.checkpoint,
              done: last.done,
              ...(groupWindow ? { window: groupWindow } : {}),
              delta,
            });
            if (!ok) throw new LeaseLost();
            totals = add(totals, delta);
          });
          checkpoint = last.checkpoint;
        }
        if (terminate !== undefined) return fail(terminate);
        if (last?.done) break;
        const now = await store.get(deps.db, id);
        if (now?.status === "CancelStarted") {
          const message = `Canceled on request after ${summary(totals)}.`;
          await store.finish(deps.db, id, owner, "Canceled", message);
          return { kind: "finished", status: "Canceled", message };
        }
        if (signal.aborted) {
          await store.release(deps.db, id, owner, {
            message: `Interrupted by shutdown after ${summary(totals)}; resumes.`,
          });
          return { kind: "released" };
        }
      }
    }
    const message = `Successful: ${summary(totals)}.`;
    if (!(await store.finish(deps.db, id, owner, "Successful", message))) return { kind: "released" };
    return {
      kind: "finished",
      status: "Successful",
      message,
      ...(checkpoint ? { checkpoint } : {}),
      ...(window ? { windowEnd: window.to } : row.window_to !== null ? { windowEnd: row.window_to } : {}),
    };
  } catch (e) {
    if (e instanceof LeaseLost) {
      // A cancel moves the row to CancelStarted, which makes the page's commit fail: end it here.
      const now = await store.get(deps.db, id);
      if (now?.status === "CancelStarted" && now.lease_owner === owner) {
        const message = `Canceled on request after ${summary(totals)}.`;
        await store.finish(deps.db, id, owner, "Canceled", message);
        return { kind: "finished", status: "Canceled", message };
      }
      return { kind: "released" };
    }
    return handleFailure(deps, row, owner, e, totals, fail);
  } finally {
    clearInterval(beat);
    await pages?.abandon();
    await connector?.close().catch(() => {});
    await leave?.().catch(() => {});
  }
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
    return { object, since: JSON.parse(row.since_checkpoint) as FlatCheckpoint };
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
