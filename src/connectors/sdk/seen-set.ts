import { createHash } from "node:crypto";

const maxEntries = 5000;

/**
 * The (id, source timestamp) pairs read inside the look-back overlap, carried in the checkpoint so the
 * next incremental run can drop exact repeats. Entries are 64-bit hashes to keep checkpoints small;
 * past `maxEntries` the set overflows and repeats are let through (downstream upserts are idempotent).
 */
export class SeenSet {
  readonly #keys: Set<string>;
  #overflow: boolean;

  private constructor(keys: Iterable<string>, overflow: boolean) {
    this.#keys = new Set(keys);
    this.#overflow = overflow;
  }

  /** An empty set. */
  static empty(): SeenSet {
    return new SeenSet([], false);
  }

  /** Reads the checkpoint form ("" = empty, "!" = overflowed). */
  static parse(s: string | undefined | null): SeenSet {
    if (!s) return SeenSet.empty();
    if (s === "!") return new SeenSet([], true);
    return new SeenSet(s.split(","), false);
  }

  static key(id: string, ts: number | string): string {
    return createHash("sha1").update(`${id}\u0000${ts}`).digest("hex").slice(0, 16);
  }

  has(id: string, ts: number | string): boolean {
    // Most reads carry no previous overlap: skip the hash (~5 us per record) when nothing can match.
    return this.#keys.size > 0 && this.#keys.has(SeenSet.key(id, ts));
  }

  add(id: string, ts: number | string): void {
    if (this.#overflow) return;
    this.#keys.add(SeenSet.key(id, ts));
    if (this.#keys.size > maxEntries) {
      this.#overflow = true;
      this.#keys.clear();
    }
  }

  /** The checkpoint form. */
  toString(): string {
    return this.#overflow ? "!" : [...this.#keys].join(",");
  }
}
