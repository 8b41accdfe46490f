/**
 * Marketo's per-instance call limits that the shared rate meter does not model (sources.md §3.3): a
 * daily quota resetting at midnight America/Chicago (607) and calls in flight (615). The 100 calls /
 * 20 s window (606) is a sliding window on the core's RateMeter.
 */
import { chicagoDay } from "./dates.ts";

/** Marketo's own numbers, before the sandbox's rate-limit scale factor. */
export const marketoLimits = {
  callsPerWindow: 100,
  windowMs: 20_000,
  dailyQuota: 50_000,
  maxConcurrent: 10,
} as const;

/** The daily counter and the in-flight gate of one Marketo instance. */
export class CallLimits {
  #day = "";
  #dayCount = 0;
  #inFlight = 0;

  /** True when `quota` calls have already been counted on the Chicago day of `now`. */
  quotaSpent(now: number, quota: number): boolean {
    this.#rollDay(now);
    return this.#dayCount >= quota;
  }

  /** Counts one call against the day of `now`. */
  record(now: number): void {
    this.#rollDay(now);
    this.#dayCount++;
  }

  /** Calls counted on the Chicago day of `now`. */
  usedToday(now: number): number {
    this.#rollDay(now);
    return this.#dayCount;
  }

  /** Tries to start a call; false means 615. Pair every true with `leave()`. */
  enter(maxConcurrent: number): boolean {
    if (this.#inFlight >= maxConcurrent) return false;
    this.#inFlight++;
    return true;
  }

  /** Ends a call started with `enter()`. */
  leave(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  #rollDay(now: number): void {
    const day = chicagoDay(now);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayCount = 0;
    }
  }
}

/** Milliseconds from `now` to the next midnight in America/Chicago (when 607 lifts). */
export function msUntilChicagoMidnight(now: number): number {
  const today = chicagoDay(now);
  let lo = now;
  let hi = now + 26 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (chicagoDay(mid) === today) lo = mid;
    else hi = mid;
  }
  return hi - now;
}
