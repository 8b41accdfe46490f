import type { Clock } from "../../core/clock.ts";

/** The outcome of counting one request. */
export type LimitDecision =
  | { ok: true; limit: number; remaining: number }
  | { ok: false; limit: number; retryAfterS: number; resetEpochS: number };

/**
 * An inbound REST rate-limit rule: at most `limit` requests per user per clock hour (ServiceNow's rules are
 * hourly and reset on the hour). Counted on the sandbox clock so tests can jump past the reset.
 */
export class HourlyLimit {
  readonly #counts = new Map<string, { hour: number; n: number }>();
  readonly #clock: Clock;
  readonly #limit: () => number;

  constructor(clock: Clock, limit: () => number) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** Counts a request by `user` and says whether it may proceed. */
  take(user: string): LimitDecision {
    const now = this.#clock.now();
    const hour = Math.floor(now / 3_600_000);
    const limit = Math.max(1, Math.round(this.#limit()));
    const entry = this.#counts.get(user);
    const count = entry && entry.hour === hour ? entry : { hour, n: 0 };
    this.#counts.set(user, count);
    if (count.n >= limit) {
      const reset = (hour + 1) * 3_600_000;
      return {
        ok: false,
        limit,
        retryAfterS: Math.max(1, Math.ceil((reset - now) / 1000)),
        resetEpochS: reset / 1000,
      };
    }
    count.n++;
    return { ok: true, limit, remaining: limit - count.n };
  }
}
