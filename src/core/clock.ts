/** The time port: everything that needs "now" takes a Clock so tests and sandboxes can move time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: number | Date = Date.now()) {
    this.#t = typeof start === "number" ? start : start.getTime();
  }
  now(): number {
    return this.#t;
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#t += ms;
  }
  /** Sets the time. */
  set(t: number | Date): void {
    this.#t = typeof t === "number" ? t : t.getTime();
  }
}

/** Epoch seconds (with milliseconds as a fraction) as the AWS wire format wants them. */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}
