import type { Clock } from "../../core/clock.ts";

/** Counters tests read to check that clients respect limits. */
export interface RateCounters {
  /** Requests counted by any limiter. */
  requests: number;
  /** Requests refused because a limit was already used up. */
  rejected: number;
  /** Requests sent while a Retry-After (or quota reset) announced earlier was still pending. */
  early: number;
  /** rejected + early: what a well-behaved client keeps near zero. */
  violations: number;
}

/** The outcome of `take`: allowed with the usage so far, or refused with the wait until a slot frees. */
export type RateDecision =
  | { ok: true; used: number; limit: number }
  | { ok: false; retryAfterMs: number; used: number; limit: number };

/**
 * Sliding-window limiters on the sandbox clock (bucketed, so a 24 h allocation costs 60 counters), plus the
 * violation counters of the admin API. Limits are passed per call so the rate-limit scale knob applies live.
 */
export class RateMeter {
  readonly #clock: Clock;
  readonly #windows = new Map<string, Map<number, number>>();
  readonly #pending = new Map<string, number>();
  readonly #counters: RateCounters = { requests: 0, rejected: 0, early: 0, violations: 0 };

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Counts one request against `key` (limit per windowMs); refuses it when the window is full. */
  take(key: string, limit: number, windowMs: number): RateDecision {
    const now = this.#clock.now();
    this.#counters.requests++;
    const pendingUntil = this.#pending.get(key);
    if (pendingUntil !== undefined) {
      if (now < pendingUntil) this.#count("early");
      else this.#pending.delete(key);
    }
    const bucketMs = Math.max(1, Math.ceil(windowMs / 60));
    const bucket = Math.floor(now / bucketMs);
    const oldest = bucket - Math.ceil(windowMs / bucketMs) + 1;
    let w = this.#windows.get(key);
    if (!w) {
      w = new Map();
      this.#windows.set(key, w);
    }
    let used = 0;
    for (const [b, n] of w) {
      if (b < oldest) w.delete(b);
      else used += n;
    }
    const max = Math.max(1, Math.floor(limit));
    if (used >= max) {
      this.#count("rejected");
      let first = bucket;
      for (const b of w.keys()) first = Math.min(first, b);
      const retryAfterMs = Math.max(1000, (first + Math.ceil(windowMs / bucketMs)) * bucketMs - now);
      this.#pending.set(key, now + retryAfterMs);
      return { ok: false, retryAfterMs, used, limit: max };
    }
    w.set(bucket, (w.get(bucket) ?? 0) + 1);
    return { ok: true, used: used + 1, limit: max };
  }

  /** Usage of `key` in its current window, without counting a request. */
  used(key: string): number {
    let used = 0;
    for (const n of this.#windows.get(key)?.values() ?? []) used += n;
    return used;
  }

  /** Records that a response told the client to wait `ms` (injected 429s): earlier retries count as early. */
  announceRetryAfter(key: string, ms: number): void {
    this.#pending.set(key, this.#clock.now() + ms);
  }

  /** Checks a request against a pending Retry-After without counting it against any limit. */
  observe(key: string): void {
    const pendingUntil = this.#pending.get(key);
    if (pendingUntil === undefined) return;
    if (this.#clock.now() < pendingUntil) this.#count("early");
    else this.#pending.delete(key);
  }

  /** A copy of the counters. */
  counters(): RateCounters {
    return { ...this.#counters };
  }

  /** Zeroes the counters and forgets every window (admin `POST /__sandbox/limits/reset`). */
  reset(): void {
    Object.assign(this.#counters, { requests: 0, rejected: 0, early: 0, violations: 0 });
    this.#windows.clear();
    this.#pending.clear();
  }

  #count(kind: "rejected" | "early"): void {
    this.#counters[kind]++;
    this.#counters.violations++;
  }
}
