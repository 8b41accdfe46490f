import { hash32 } from "../core/rng.ts";

/**
 * A seeded bijection of [0, n): k -> (a*k + b) mod n with gcd(a, n) = 1, and its inverse. Cheap in both
 * directions, so "member k of a source" and "is person p a member" are O(1) with nothing stored.
 */
export class AffinePermutation {
  readonly n: number;
  readonly #a: number;
  readonly #b: number;
  readonly #inv: number;

  constructor(n: number, saltA: number, saltB: number) {
    this.n = Math.max(1, n);
    let a = (hash32(saltA, saltB, 1) % this.n) | 1;
    while (gcd(a, this.n) !== 1) a = (a + 1) % this.n || 1;
    this.#a = a;
    this.#b = hash32(saltA, saltB, 2) % this.n;
    this.#inv = Number(modInverse(BigInt(a), BigInt(this.n)));
  }

  /** The image of k. */
  apply(k: number): number {
    const n = this.n;
    if (n > MAX_N) return Number((BigInt(this.#a) * BigInt(k % n) + BigInt(this.#b)) % BigInt(n));
    return (mulMod(this.#a, k % n, n) + this.#b) % n;
  }

  /** The k whose image is p. */
  invert(p: number): number {
    const n = this.n;
    if (n > MAX_N) {
      const N = BigInt(n);
      return Number(((((BigInt(p) - BigInt(this.#b)) % N) + N) * BigInt(this.#inv)) % N);
    }
    return mulMod((((p - this.#b) % n) + n) % n, this.#inv, n);
  }
}

/**
 * Up to 2^31 the multiplier is a positive int32 and every intermediate of `mulMod` stays below 2^53, so plain
 * numbers give exactly what BigInt gave; larger sizes keep the BigInt arithmetic.
 */
const MAX_N = 2 ** 31;

/** (x · y) mod n exactly for 0 ≤ x, y < n ≤ 2^31, without BigInt (which allocated on every call). */
function mulMod(x: number, y: number, n: number): number {
  const p = x * y;
  if (p <= Number.MAX_SAFE_INTEGER) return p % n;
  const hi = Math.floor(y / 65536);
  const lo = y - hi * 65536;
  return (((((x * hi) % n) * 65536) % n) + ((x * lo) % n)) % n;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: bigint, n: bigint): bigint {
  if (n === 1n) return 0n;
  let [r0, r1] = [a % n, n];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % n) + n) % n;
}
