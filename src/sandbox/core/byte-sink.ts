/**
 * A growable UTF-8 buffer for large reply bodies. Pages of thousands of rows were joined into one string and
 * then encoded; writing each row's text straight into bytes skips the join and the whole-body copy.
 */
export class ByteSink {
  #buf: Buffer;
  #len = 0;

  constructor(capacity = 64 * 1024) {
    this.#buf = Buffer.allocUnsafe(Math.max(16, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** Appends `s` as UTF-8. */
  write(s: string): void {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes.
    const need = this.#len + s.length * 3;
    if (need > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(next, 0, 0, this.#len);
      this.#buf = next;
    }
    this.#len += this.#buf.write(s, this.#len);
  }

  /** The bytes written (a view, not a copy: the sink must not be written to afterwards). */
  toBuffer(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}
