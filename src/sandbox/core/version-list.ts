import type { RecordVersion, VersionRef } from "./object-store.ts";

/**
 * An ordered snapshot of version references, stored as runs of consecutive generated indices plus single
 * overlay versions. A time-window scan of a lazy store is one run broken only where the overlay interleaves,
 * so a locator over a million rows holds a handful of numbers instead of a million references.
 */
export class VersionList {
  /** Offset (in rows) of each segment's first row. */
  readonly #at: number[] = [];
  /** A run's first generated index, or the overlay version of a one-row segment. */
  readonly #head: Array<number | RecordVersion> = [];
  #length = 0;
  /** Generated index one past the end of the last run, or -1 when the last segment is not a run. */
  #runEnd = -1;

  /** Rows held. */
  get length(): number {
    return this.#length;
  }

  /** Segments held (the memory figure: ~1 per overlay version in the window, not per row). */
  get segments(): number {
    return this.#at.length;
  }

  /** Appends generated indices [lo, hi), extending the last run when it ends at lo. */
  pushRun(lo: number, hi: number): void {
    if (hi <= lo) return;
    if (this.#runEnd !== lo) {
      this.#at.push(this.#length);
      this.#head.push(lo);
    }
    this.#length += hi - lo;
    this.#runEnd = hi;
  }

  /** Appends one reference (a generated index or an overlay version). */
  push(r: VersionRef): void {
    if (typeof r === "number") this.pushRun(r, r + 1);
    else {
      this.#at.push(this.#length);
      this.#head.push(r);
      this.#length++;
      this.#runEnd = -1;
    }
  }

  /** The reference at row `k` (0 ≤ k < length). */
  get(k: number): VersionRef {
    const s = this.#segment(k);
    const h = this.#head[s]!;
    return typeof h === "number" ? h + (k - this.#at[s]!) : h;
  }

  /** Calls `f` with each reference of rows [start, end), in order, without allocating per row. */
  forEach(start: number, end: number, f: (r: VersionRef) => void): void {
    end = Math.min(end, this.#length);
    if (start >= end) return;
    let s = this.#segment(start);
    let k = start;
    while (k < end) {
      const h = this.#head[s]!;
      const segEnd = Math.min(end, this.#at[s + 1] ?? this.#length);
      if (typeof h === "number") {
        for (let i = h + (k - this.#at[s]!), stop = h + (segEnd - this.#at[s]!); i < stop; i++) f(i);
      } else f(h);
      k = segEnd;
      s++;
    }
  }

  /** The rows [start, end) as a new list. */
  slice(start: number, end = this.#length): VersionList {
    const out = new VersionList();
    end = Math.min(end, this.#length);
    if (start >= end) return out;
    let s = this.#segment(start);
    let k = start;
    while (k < end) {
      const h = this.#head[s]!;
      const segEnd = Math.min(end, this.#at[s + 1] ?? this.#length);
      if (typeof h === "number") out.pushRun(h + (k - this.#at[s]!), h + (segEnd - this.#at[s]!));
      else out.push(h);
      k = segEnd;
      s++;
    }
    return out;
  }

  /** Every reference, in order (for sorting small results). */
  toArray(): VersionRef[] {
    const out: VersionRef[] = [];
    this.forEach(0, this.#length, (r) => out.push(r));
    return out;
  }

  /** A list holding `refs` in the given order. */
  static of(refs: readonly VersionRef[]): VersionList {
    const out = new VersionList();
    for (const r of refs) out.push(r);
    return out;
  }

  #segment(k: number): number {
    const at = this.#at;
    let lo = 0;
    let hi = at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (at[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
