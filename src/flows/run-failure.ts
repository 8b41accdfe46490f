import { isConnectorError } from "../connectors/sdk/index.ts";
import type { ExecutionRow } from "./execution-record.ts";
import type { RunResult } from "./run-result.ts";
import { type Totals, totalsSummary } from "./run-state.ts";
import type { RunnerDeps } from "./runner-deps.ts";

/** Transient failures retry from the checkpoint with backoff; quota pauses; anything else fails the run. */
export async function handleFailure(
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
    const message = `Retrying at ${new Date(at).toISOString()} after a transient source error (attempt ${attempt} of ${deps.maxTransientAttempts}, ${totalsSummary(totals)} so far): ${reason}`;
    await deps.store.release(deps.db, row.execution_id, owner, { message, attempt, until: at });
    return { kind: "wait", at };
  }
  if (isConnectorError(e, "auth")) return fail(`The source rejected the credentials: ${reason}`);
  if (isConnectorError(e, "config")) return fail(`The source refused the request: ${reason}`);
  deps.logger?.error({ err: e, executionId: row.execution_id }, "execution failed");
  return fail(`Internal error: ${reason}`);
}
