import { executionCheckpointColumn } from "./checkpoint-columns.ts";
import type { ExecutionRow } from "./execution-record.ts";
import { type OpenSource, openSource } from "./open-source.ts";
import { windowOfCheckpoint } from "./page-batch.ts";
import { readPages, Stop } from "./read-pages.ts";
import { handleFailure } from "./run-failure.ts";
import { planRun } from "./run-plan.ts";
import { endCanceled, failRun, type RunResult, succeed } from "./run-result.ts";
import { type RunState, totalsOfRow, totalsSummary } from "./run-state.ts";
import type { RunnerDeps } from "./runner-deps.ts";

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
  const state: RunState = {
    // Parts stored after the last checkpoint (or the start) may be read again: a crash between parts.
    replaySince: row.checkpoint_at ?? row.started_at,
    totals: totalsOfRow(row),
    checkpoint,
    window: windowOfCheckpoint(checkpoint),
  };
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
      return endCanceled(deps, id, owner, `Canceled on request after ${totalsSummary(state.totals)}.`);
    return handleFailure(deps, row, owner, e, state.totals, fail);
  } finally {
    clearInterval(beat);
    await source?.close();
  }
}
