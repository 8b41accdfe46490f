import { isConnectorError } from "./connector-error.ts";

/** How a client retries: attempts for transient failures, and the base/cap of the exponential delay. */
export interface RetryPolicy {
  /** Tries per request for transient failures (the first try counts). */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  /** Rate-limited answers tolerated per request before giving up (they use no transient attempt). */
  readonly maxRateLimitedWaits: number;
  /** Waits longer than this (Retry-After or quota reset) are not slept inline: they become quota_exhausted. */
  readonly maxInlineWaitMs: number;
}

/** 5 tries, 1 s × 2ⁿ capped at 60 s (sources.md §5.3); inline waits up to 5 minutes. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseMs: 1000,
  capMs: 60_000,
  maxRateLimitedWaits: 20,
  maxInlineWaitMs: 5 * 60_000,
};

/** The exponential delay after the `n`-th failure (n ≥ 1): base·2^(n−1), capped. */
export function exponentialDelay(n: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, n - 1));
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^(failures−1))]. */
export function fullJitterDelay(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * exponentialDelay(failures, policy.baseMs, policy.capMs));
}

/**
 * Runs one read step, again once if it fails with `auth`. The HTTP client refreshes once per request; a
 * token that expires again within the same step (after back-offs) earns one more refresh, not a failed
 * read. Refused credentials fail both times.
 */
export async function retriedOnAuth<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!isConnectorError(e, "auth")) throw e;
    return step();
  }
}
