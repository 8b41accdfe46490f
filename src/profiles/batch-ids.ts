import { randomBytes } from "node:crypto";

let sequence = 0;

/**
 * Ids of ProfileId shape (32 lower-case hex) for one batch, from one random draw instead of one
 * `randomBytes` call each. Like UUIDv7 they start with the time (12 hex of epoch ms) and a
 * process-wide sequence (6 hex), then 56 random bits: new ids land at the end of the indexes that
 * hold them (profiles, keys by profile, history) instead of on random pages, which is most of the
 * cost of inserting into a large B-tree.
 */
export class BatchIds {
  #pool = "";
  #at = 0;

  constructor(private expected: number) {}

  /** The next id. */
  next(): string {
    if (this.#at >= this.#pool.length) {
      this.#pool = randomBytes(7 * Math.max(16, this.expected)).toString("hex");
      this.#at = 0;
      this.expected *= 2;
    }
    const random = this.#pool.slice(this.#at, this.#at + 14);
    this.#at += 14;
    sequence = (sequence + 1) & 0xffffff;
    return Date.now().toString(16).padStart(12, "0") + sequence.toString(16).padStart(6, "0") + random;
  }
}
