import type { Clock } from "../../core/clock.ts";

/** What is persisted to resume a clock: sandbox time `sim` was current at wall time `wall`, moving at `speed`. */
export interface ClockState {
  wall: number;
  sim: number;
  speed: number;
}

/**
 * The one clock every simulator reads: wall speed by default, settable and speedable through the admin API.
 * Sandbox time is `sim + (wallNow - wall) * speed`; changing it re-anchors instead of accumulating drift.
 */
export class SandboxClock implements Clock {
  #state: ClockState;
  readonly #wall: () => number;
  readonly #listeners: Array<(state: ClockState) => void> = [];

  constructor(options: { start?: number; speed?: number; state?: ClockState; wall?: () => number } = {}) {
    this.#wall = options.wall ?? Date.now;
    const w = this.#wall();
    this.#state = options.state
      ? { ...options.state }
      : { wall: w, sim: options.start ?? w, speed: options.speed ?? 1 };
  }

  /** Sandbox milliseconds since the epoch. */
  now(): number {
    const s = this.#state;
    return Math.floor(s.sim + (this.#wall() - s.wall) * s.speed);
  }

  /** Jumps to time `t` (ms or Date); the speed stays. */
  set(t: number | Date): void {
    this.#anchor(typeof t === "number" ? t : t.getTime(), this.#state.speed);
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#anchor(this.now() + ms, this.#state.speed);
  }

  /** Sets how many sandbox milliseconds pass per wall millisecond (0 freezes the clock). */
  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`invalid clock speed ${speed}`);
    this.#anchor(this.now(), speed);
  }

  /** The current speed factor. */
  get speed(): number {
    return this.#state.speed;
  }

  /** A snapshot to persist; `new SandboxClock({ state })` resumes it (time kept moving while stopped). */
  state(): ClockState {
    return { ...this.#state };
  }

  /** Calls `listener` after every set / advance / speed change (persistence hooks in here). */
  onChange(listener: (state: ClockState) => void): void {
    this.#listeners.push(listener);
  }

  #anchor(sim: number, speed: number): void {
    this.#state = { wall: this.#wall(), sim, speed };
    for (const l of this.#listeners) l(this.state());
  }
}
