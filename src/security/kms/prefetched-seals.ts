import { setImmediate as turn } from "node:timers/promises";

/** Sealed values kept at most (the pages a read runs ahead, 4 × 2,000, and a part): past it the store starts over. */
const SEALS_LIMIT = 12_000;
/** Blind indexes kept at most, likewise. */
const INDEXES_LIMIT = 120_000;

/**
 * Values of one domain sealed and blind-indexed ahead (by the SealWorker, while the transaction before
 * theirs runs), valid for one wrapped data key. Each value is taken once: two equal plaintexts get two
 * sealed values with their own IVs, so no sealed value is ever stored twice, and the store holds only
 * what is still to come. What is not found here is computed inline, so a prefetch that came late,
 * failed or guessed wrong only costs the time it would have saved.
 */
export class PrefetchedSeals {
  readonly #seals = new Map<string, Map<string, string[]>>();
  #sealCount = 0;
  readonly #indexes = new Map<string, string>();
  /** Values taken from here instead of being computed inline (what the prefetch saved). */
  readonly taken = { seals: 0, indexes: 0 };
  /** The prefetch still computing, if any. */
  #inFlight: Promise<void> | undefined;

  /**
   * @param wrappedKey the domain's data key as stored (wrapped): a new one (the domain deleted and made
   *   again, or its key re-wrapped) gets a new store.
   * @param keys the keys derived from that data key, kept so a prefetch can start outside an operation
   *   (its values are used only through boxes an operation unwrapped, which KMS may refuse).
   */
  constructor(
    readonly wrappedKey: string,
    readonly keys: { readonly key: Buffer; readonly indexKey: Buffer },
  ) {}

  /** A value sealed ahead for `place` from exactly `plaintext`, removed from the store; undefined if none. */
  takeSeal(place: string, plaintext: string): string | undefined {
    const byText = this.#seals.get(place);
    const values = byText?.get(plaintext);
    if (!values) return undefined;
    const value = values.pop();
    if (values.length === 0) byText!.delete(plaintext);
    this.#sealCount--;
    this.taken.seals++;
    return value;
  }

  /**
   * The blind index computed ahead for `pair` (`name\u0000value`), removed from the store: the
   * operation that takes it remembers it for its own later uses, and the store holds only what is
   * still to come.
   */
  takeIndex(pair: string): string | undefined {
    const index = this.#indexes.get(pair);
    if (index === undefined) return undefined;
    this.#indexes.delete(pair);
    this.taken.indexes++;
    return index;
  }

  /** Whether the index of `pair` is known already (so a prefetch need not ask for it). */
  hasIndex(pair: string): boolean {
    return this.#indexes.has(pair);
  }

  addSeals(place: string, plaintexts: readonly string[], sealed: readonly string[]): void {
    if (this.#sealCount + plaintexts.length > SEALS_LIMIT) {
      this.#seals.clear();
      this.#sealCount = 0;
    }
    const byText = this.#seals.get(place) ?? new Map<string, string[]>();
    this.#seals.set(place, byText);
    plaintexts.forEach((text, i) => {
      const values = byText.get(text);
      if (values) values.push(sealed[i]!);
      else byText.set(text, [sealed[i]!]);
    });
    this.#sealCount += plaintexts.length;
  }

  addIndexes(pairs: readonly string[], indexes: readonly string[]): void {
    if (this.#indexes.size + pairs.length > INDEXES_LIMIT) this.#indexes.clear();
    pairs.forEach((pair, i) => {
      this.#indexes.set(pair, indexes[i]!);
    });
  }

  /** Records a prefetch in flight (its results are added when it settles; a failure only loses them). */
  track(done: Promise<void>): void {
    const p: Promise<void> = done
      .catch(() => {})
      .finally(() => {
        if (this.#inFlight === p) this.#inFlight = undefined;
      });
    this.#inFlight = p;
  }

  /**
   * Lets an answer the worker already sent be added: its message is delivered when the event loop polls,
   * and an operation that starts in the same turn as the one before it ended (SQLite's statements run
   * synchronously) would not see it. Two turns of the loop include a poll; a prefetch still computing
   * is not waited for.
   */
  async delivered(): Promise<void> {
    if (!this.#inFlight) return;
    await turn();
    await turn();
  }

  /** Resolves once no prefetch is in flight (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }
}
