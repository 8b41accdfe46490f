import type { FlatCheckpoint } from "../connectors/sdk/index.ts";
import type { ExecutionRow } from "./execution-record.ts";
import { type RunState, totalsSummary } from "./run-state.ts";
import type { RunnerDeps } from "./runner-deps.ts";

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

/** Ends the run as Error (fenced on the lease); released when another runner holds it. */
export async function failRun(
  deps: RunnerDeps,
  id: string,
  owner: string,
  message: string,
): Promise<RunResult> {
  return (await deps.store.finish(deps.db, id, owner, "Error", message))
    ? { kind: "finished", status: "Error", message }
    : { kind: "released" };
}

/**
 * The one place a run ends on a cancel (before it resumed, between pages, or when a page's commit found
 * the row CancelStarted): Canceled while this runner still holds it, else released to whoever does.
 */
export async function endCanceled(
  deps: RunnerDeps,
  id: string,
  owner: string,
  message: string,
): Promise<RunResult> {
  const now = await deps.store.get(deps.db, id);
  if (now?.status !== "CancelStarted" || now.lease_owner !== owner) return { kind: "released" };
  if (!(await deps.store.finish(deps.db, id, owner, "Canceled", message))) return { kind: "released" };
  return { kind: "finished", status: "Canceled", message };
}

/** Ends a read that is done as Successful, with where it read to. */
export async function succeed(
  deps: RunnerDeps,
  row: ExecutionRow,
  owner: string,
  state: RunState,
): Promise<RunResult> {
  const message = `Successful: ${totalsSummary(state.totals)}.`;
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
