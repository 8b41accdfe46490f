import type { Clock } from "../../core/clock.ts";

/** Zendesk's incremental export limit: 10 requests per minute (30 with the High Volume add-on). */
export const incrementalPerMinute = 10;
/** The account-wide limit of the Enterprise plan (requests per minute). */
export const accountPerMinute = 700;

/** The outcome of counting one request. */
export type MinuteDecision =
  | { ok: true; limit: number; remaining: number }
  | { ok: false; retryAfterS: number };

/**
 * A sliding one-minute request log on the sandbox clock. `limit()` is read on every request so the
 * rate-limit scale knob takes effect at once.
 */
export class MinuteLimit {
  readonly #log: number[] = [];
  readonly #clock: Clock;
  readonly #limit: () => number;

  constructor(clock: Clock, limit: () => number) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** Counts a request and says whether it may proceed, or how many seconds until a slot frees. */
  take(): MinuteDecision {
    const now = this.#clock.now();
    while (this.#log.length > 0 && this.#log[0]! <= now - 60_000) this.#log.shift();
    const limit = Math.max(1, Math.round(this.#limit()));
    if (this.#log.length >= limit) {
      const freeAt = this.#log[this.#log.length - limit]! + 60_000;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    this.#log.push(now);
    return { ok: true, limit, remaining: limit - this.#log.length };
  }
}
