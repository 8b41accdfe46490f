/**
 * Counter-based randomness: every value is a pure function of its inputs, so record i of an object can be
 * generated on demand in any order without storing anything.
 */

function mix(h: number, p: number): number {
  // Fold in the high bits too so indices above 2^31 still differ.
  let k = p >= 0 && p <= 0x7fffffff ? p | 0 : (p | 0) ^ Math.floor(p / 4294967296);
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const INIT = 0x9e3779b9;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit hash of up to six integers (murmur3 mixing). Fixed parameters rather than rest arguments: this is
 * the hottest function of the sandbox, and rest arrays made it ten times slower.
 */
export function hash32(a: number, b?: number, c?: number, d?: number, e?: number, f?: number): number {
  let h = mix(INIT, a);
  if (b !== undefined) {
    h = mix(h, b);
    if (c !== undefined) {
      h = mix(h, c);
      if (d !== undefined) {
        h = mix(h, d);
        if (e !== undefined) {
          h = mix(h, e);
          if (f !== undefined) h = mix(h, f);
        }
      }
    }
  }
  return fmix(h);
}

/**
 * The mixing state after the leading parts (a, b[, c]). Generators that draw many values for one record
 * (`hash32(seed, p, 11)`, `hash32(seed, p, 12)`, …) mix the shared head once and finish with `hashAfter`.
 */
export function hashPrefix(a: number, b: number, c?: number): number {
  const h = mix(mix(INIT, a), b);
  return c === undefined ? h : mix(h, c);
}

/** `hash32(...head, x[, y])` given `hashPrefix(...head)`: the same value, two or three mixes cheaper. */
export function hashAfter(prefix: number, x: number, y?: number): number {
  const h = mix(prefix, x);
  return fmix(y === undefined ? h : mix(h, y));
}

/** A number in [0, 1) that depends only on the arguments. */
export function unit(a: number, b?: number, c?: number, d?: number, e?: number, f?: number): number {
  return hash32(a, b, c, d, e, f) / 4294967296;
}

/** A stable 32-bit hash of a string, to use strings (object names, ids) as hash parts. */
export function strHash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Picks one element of `items` from the hash of the numbers. */
export function pick<T>(items: readonly T[], a: number, b?: number, c?: number, d?: number, e?: number): T {
  return items[hash32(a, b, c, d, e) % items.length] as T;
}

/** A sequential generator for places that need many draws (churn, faults); still seeded. */
export class SeqRng {
  #seed: number;
  #n = 0;
  constructor(seed: number) {
    this.#seed = seed;
  }
  /** The next number in [0, 1). */
  next(): number {
    return unit(this.#seed, this.#n++);
  }
  /** The next integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
