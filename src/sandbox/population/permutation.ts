import { hash32 } from "../core/rng.ts";

/**
 * A seeded bijection of [0, n): k -> (a*k + b) mod n with gcd(a, n) = 1, and its inverse. Cheap in both
 * directions, so "member k of a source" and "is person p a member" are O(1) with nothing stored.
 */
export class AffinePermutation {
  readonly n: number;
  readonly #a: bigint;
  readonly #b: bigint;
  readonly #inv: bigint;

  constructor(n: number, saltA: number, saltB: number) {
    this.n = Math.max(1, n);
    let a = (hash32(saltA, saltB, 1) % this.n) | 1;
    while (gcd(a, this.n) !== 1) a = (a + 1) % this.n || 1;
    this.#a = BigInt(a);
    this.#b = BigInt(hash32(saltA, saltB, 2) % this.n);
    this.#inv = modInverse(this.#a, BigInt(this.n));
  }

  /** The image of k. */
  apply(k: number): number {
    const n = BigInt(this.n);
    return Number((this.#a * BigInt(k % this.n) + this.#b) % n);
  }

  /** The k whose image is p. */
  invert(p: number): number {
    const n = BigInt(this.n);
    return Number(((((BigInt(p) - this.#b) % n) + n) * this.#inv) % n);
  }
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
