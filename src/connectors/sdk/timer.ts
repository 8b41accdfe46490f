import type { Clock } from "../../core/clock.ts";

/** The time port of the connectors: a Clock that can also wait, so tests never really sleep. */
export interface Timer extends Clock {
  /** Resolves after `ms` milliseconds (of this timer's time). */
  sleep(ms: number): Promise<void>;
}

/** The wall clock with real sleeps. */
export const systemTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A timer whose sleeps return at once and move its time forward; it records every sleep.
 * `onSleep` lets a test move another clock (a sandbox's) along with it.
 */
export class FakeTimer implements Timer {
  #t: number;
  readonly sleeps: number[] = [];
  readonly #onSleep: ((ms: number) => void | Promise<void>) | undefined;

  constructor(start = Date.UTC(2025, 0, 1), onSleep?: (ms: number) => void | Promise<void>) {
    this.#t = start;
    this.#onSleep = onSleep;
  }
  now(): number {
    return this.#t;
  }
  /** Moves time forward without a sleep. */
  advance(ms: number): void {
    this.#t += ms;
  }
  async sleep(ms: number): Promise<void> {
    const d = Math.max(0, Math.ceil(ms));
    this.sleeps.push(d);
    this.#t += d;
    await this.#onSleep?.(d);
  }
}
