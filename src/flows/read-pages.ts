import { setImmediate as turn } from "node:timers/promises";
import { CommitPacer, type CommitPressure } from "./commit-pacer.ts";
import { activeStatuses, type ExecutionRow, type ExecutionStatus } from "./execution-record.ts";
import { invertedWindowMessage } from "./failure-advice.ts";
import { type PreparedPage, preparePage, windowOfCheckpoint } from "./page-batch.ts";
import type { ReadAhead } from "./read-ahead.ts";
import type { SinkRejected } from "./record-sink.ts";
import type { RunPlan } from "./run-plan.ts";
import { failRun, type RunResult } from "./run-result.ts";
import { addTotals, type RunState, totalsSummary } from "./run-state.ts";
import { DEFAULT_COMMIT_BUDGET, type RunnerDeps } from "./runner-deps.ts";
import { compileTasks } from "./tasks/compile-tasks.ts";

/** Stops a run at once: its lease is lost, or a cancel was requested (the row is CancelStarted). */
export class Stop extends Error {}

/**
 * Reads page groups and commits each with its checkpoint. Returns how the run ended when it ended here
 * (a failure, a shutdown); undefined when the read is done. Throws Stop on a lost lease or a cancel.
 */
export async function readPages(
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
  const pacer = new CommitPacer(deps.commitBudget ?? DEFAULT_COMMIT_BUDGET);
  // Pages prepared ahead for the sink's prefetch, taken when their group comes: a page read while a
  // group is being written is handed to the sink at once (one read while nothing else runs is not: its
  // group starts right away).
  const ahead = new WeakMap<Page, PreparedPage>();
  let writing = false;
  if (deps.sink.prefetch) {
    pages.whenRead((page) => {
      if (writing) prefetchPage(deps, plan, tasks, ahead, page);
    });
  }
  for (let group = await pages.nextGroup(); group !== undefined; group = await pages.nextGroup()) {
    if (stops.lost.aborted) throw new Stop();
    // A connector whose "now" is behind where the last run ended reads a window that ends before it
    // starts: nothing of it is written or recorded, and the flow's checkpoint stays where it was.
    const inverted = group.map((p) => windowOfCheckpoint(p.checkpoint)).find((w) => w && w.to < w.from);
    if (inverted) return failRun(deps, id, owner, invertedWindowMessage(inverted));
    const { prepared, terminate } = prepareGroup(group, tasks, ahead);
    // A page a Validate task terminates commits nothing; the pages before it in the group do.
    const written = group.slice(0, prepared.length);
    writing = true;
    try {
      if (written.length > 0) await commitGroup(deps, row, plan, owner, state, pacer, { written, prepared });
    } finally {
      writing = false;
    }
    if (terminate !== undefined) return failRun(deps, id, owner, terminate);
    if (written[written.length - 1]?.done) return undefined;
    if (stops.signal.aborted) {
      const message = `Interrupted by shutdown after ${totalsSummary(state.totals)}; resumes.`;
      await deps.store.release(deps.db, id, owner, { message });
      return { kind: "released" };
    }
    if ((await deps.store.get(deps.db, id))?.status === "CancelStarted") throw new Stop();
  }
  return undefined;
}

type Page = Parameters<typeof preparePage>[0];

const IN_PROGRESS: readonly ExecutionStatus[] = ["InProgress"];

function pressureOf(deps: RunnerDeps): CommitPressure {
  if (deps.requestsWaiting?.()) return "busy";
  return deps.otherRuns?.() ? "shared" : "alone";
}

/** The group's pages through the tasks, up to the first one a Validate task terminates. */
function prepareGroup(
  group: readonly Page[],
  tasks: ReturnType<typeof compileTasks>,
  ahead: WeakMap<Page, PreparedPage>,
): { prepared: PreparedPage[]; terminate: string | undefined } {
  const prepared: PreparedPage[] = [];
  for (const page of group) {
    const p = ahead.get(page) ?? preparePage(page, tasks);
    ahead.delete(page);
    if (p.terminate) return { prepared, terminate: p.terminate };
    prepared.push(p);
  }
  return { prepared, terminate: undefined };
}

/**
 * Hands the sink the records of a page read while a group is written (prepared now through the tasks,
 * and kept for the page's own group) so it can start on them meanwhile (RecordSink.prefetch).
 */
function prefetchPage(
  deps: RunnerDeps,
  plan: RunPlan,
  tasks: ReturnType<typeof compileTasks>,
  ahead: WeakMap<Page, PreparedPage>,
  page: Page,
): void {
  const p = preparePage(page, tasks);
  ahead.set(page, p);
  if (p.terminate === undefined && p.records.length > 0) deps.sink.prefetch?.(plan.destination, p.records);
}

/**
 * Commits a group: its records in parts sized by `pacer`, each part its own transaction with the lease
 * fence, and the last part with the deletions, the rejected records, and the checkpoint, window and
 * counts. A crash between parts resumes from the previous checkpoint and reads the group again; the sink
 * writes what a committed part already stored as a no-op (RecordSink), and the counts, committed only
 * with the last part, count each record once.
 */
async function commitGroup(
  deps: RunnerDeps,
  row: ExecutionRow,
  plan: RunPlan,
  owner: string,
  state: RunState,
  pacer: CommitPacer,
  group: { written: readonly Page[]; prepared: readonly PreparedPage[] },
): Promise<void> {
  const id = row.execution_id;
  const { written, prepared } = group;
  const last = written[written.length - 1]!;
  let window = state.window;
  for (const page of written) window = windowOfCheckpoint(page.checkpoint) ?? window;
  const records = prepared.flatMap((p) => p.records);
  const rejected = prepared.flatMap((p) => p.rejected);
  // Only a group's last page may carry deletions (ReadAhead ends groups there): they follow every record.
  const deletions = written.flatMap((p) => p.deletions);
  // What the parts before the last wrote and refused: counted with the last part, once.
  const failed: SinkRejected[] = [];
  let bytesWritten = 0;
  for (let from = 0; ; ) {
    const rest = records.length - from;
    const limit = pacer.next(rest, pressureOf(deps));
    const started = performance.now();
    const part = await deps.db.transaction().execute(async (tx) => {
      const res = await deps.sink.writeBatch(tx, {
        flow: plan.flow,
        executionId: id,
        replaySince: state.replaySince,
        ...plan.destination,
        records: from === 0 ? records : records.slice(from),
        deletions,
        rejected,
        ...(limit < rest ? { partLimit: limit } : {}),
      });
      const consumed = Math.min(res.consumed ?? rest, rest);
      if (consumed <= 0 && rest > 0) throw new Error("the sink wrote none of a part's records");
      // The fence after the sink: the row lock and lease check keep a runner that lost its lease from
      // committing (its writes roll back). The sink takes the domain's lock first, as DeleteDomain does
      // before it locks this row; the other order deadlocks the two on PostgreSQL. A cancel stops a
      // group before its first part; once a part committed, the group ends (its parts are counted) and
      // the run stops after it, as after a page.
      const statuses = from === 0 ? IN_PROGRESS : activeStatuses;
      if (!(await deps.store.heartbeat(tx, id, owner, deps.leaseTtlMs, statuses))) throw new Stop();
      if (consumed < rest) return { consumed, res, delta: undefined };
      const delta = {
        records: records.length,
        bytesProcessed: prepared.reduce((n, p) => n + p.bytesProcessed, 0),
        bytesWritten: bytesWritten + res.bytesWritten,
        putFailures: failed.length + res.failed.length + rejected.length,
        dropped: prepared.reduce((n, p) => n + p.dropped, 0),
        deletions: deletions.length,
      };
      const page = { checkpoint: last.checkpoint, done: last.done, ...(window ? { window } : {}), delta };
      const at = await deps.store.commitPage(tx, id, owner, deps.leaseTtlMs, page, statuses);
      if (at === undefined) throw new Stop();
      return { consumed, res, delta: { ...delta, at } };
    });
    pacer.observe(part.consumed, performance.now() - started);
    if (part.delta) {
      state.totals = addTotals(state.totals, part.delta);
      state.replaySince = part.delta.at;
      break;
    }
    failed.push(...part.res.failed);
    bytesWritten += part.res.bytesWritten;
    from += part.consumed;
    // SQLite's statements run synchronously under their promises: without a turn of the event loop
    // here the parts would follow one another with no request let in between them.
    await turn();
  }
  state.checkpoint = last.checkpoint;
  state.window = window;
}
