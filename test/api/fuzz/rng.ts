/** A small seeded PRNG (mulberry32): the same seed replays the same requests. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** The run's seed: PROFILEFLOW_FUZZ_SEED to replay one, else a fresh one (printed by the suite). */
export function fuzzSeed(): number {
  const fixed = process.env["PROFILEFLOW_FUZZ_SEED"];
  return fixed ? Number(fixed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}
