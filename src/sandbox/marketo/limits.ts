/**
 * Marketo's call limits (sources.md §3.3): a sliding window of 100 calls per 20 s (606), a daily
 * quota of 50,000 calls resetting at midnight America/Chicago (607), and 10 calls in flight (615).
 * Calls answered with a starred code (auth, timeouts) do not count; the server decides that.
 */
import { chicagoDay } from "./dates.ts";

/** The numbers; the sandbox's rate-limit scale factor shrinks them for fast tests. */
export interface MarketoLimitSettings {
  callsPerWindow: number;
  windowMs: number;
  dailyQuota: number;
  maxConcurrent: number;
}

export const marketoDefaultLimits: MarketoLimitSettings = {
  callsPerWindow: 100,
  windowMs: 20_000,
  dailyQuota: 50_000,
  maxConcurrent: 10,
};

/** Counts calls against the window and the day. */
export class CallLimits {
  #settings: MarketoLimitSettings;
  readonly #window: number[] = [];
  #day = "";
  #dayCount = 0;
  #inFlight = 0;

  constructor(settings: MarketoLimitSettings = marketoDefaultLimits) {
    this.#settings = settings;
  }

  /** Replaces the numbers (the scale knob changed); counts so far are kept. */
  configure(settings: MarketoLimitSettings): void {
    this.#settings = settings;
  }

  /** The numbers in force. */
  get settings(): Readonly<MarketoLimitSettings> {
    return this.#settings;
  }

  /** "606" when the sliding window is full, "607" when today's quota is spent, else undefined. Does not count. */
  check(now: number): "606" | "607" | undefined {
    this.#rollDay(now);
    if (this.#dayCount >= this.#settings.dailyQuota) return "607";
    this.#prune(now);
    if (this.#window.length >= this.#settings.callsPerWindow) return "606";
    return undefined;
  }

  /** Counts one call made at `now` against the window and the day. */
  record(now: number): void {
    this.#rollDay(now);
    this.#dayCount++;
    this.#window.push(now);
  }

  /** Calls counted today (Chicago). */
  usedToday(now: number): number {
    this.#rollDay(now);
    return this.#dayCount;
  }

  /** Tries to start a call; false means 615 (too many in flight). Pair every true with `leave()`. */
  enter(): boolean {
    if (this.#inFlight >= this.#settings.maxConcurrent) return false;
    this.#inFlight++;
    return true;
  }

  /** Ends a call started with `enter()`. */
  leave(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  #prune(now: number): void {
    while (this.#window.length > 0 && this.#window[0]! <= now - this.#settings.windowMs) this.#window.shift();
  }

  #rollDay(now: number): void {
    const day = chicagoDay(now);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayCount = 0;
    }
  }
}
