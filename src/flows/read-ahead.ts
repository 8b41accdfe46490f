import type { Page } from "../connectors/sdk/index.ts";

interface Slot {
  readonly promise: Promise<IteratorResult<Page>>;
  result?: IteratorResult<Page>;
}

/** How far a read runs ahead of the writes, and how much one commit may take. */
export interface ReadAheadLimits {
  /** Pages fetched and not yet written, the one in flight included (≥ 1). */
  readonly pages: number;
  /**
   * Records of one group: pages already read are committed together up to this many. Also how far the
   * read runs ahead in records: no fetch starts while this many wait (a group's worth is ready).
   */
  readonly records: number;
}

/**
 * Pages of a read, fetched ahead of the writes one request at a time: while the engine writes, the
 * connector already waits for the next pages (the source's time), so a backfill costs about
 * max(read, write) rather than their sum. When the writes are the slower side, pages pile up (up to
 * `limits.pages`, and only until a group's worth of records waits: large pages are not held four deep)
 * and the next group takes all of them at once, so one transaction and one checkpoint
 * cover several pages: the slower the database, the larger its commits (group commit). A group never
 * waits for a page that is not read yet, holds at most `limits.records` records (a single larger page
 * still goes alone), and ends at a page carrying deletions, so records and deletions keep their order.
 * Nothing is read past a page marked done. A read-ahead error surfaces when that page is asked for,
 * after the pages before it committed.
 */
export class ReadAhead {
  readonly #it: AsyncIterator<Page>;
  readonly #limits: ReadAheadLimits;
  readonly #queue: Slot[] = [];
  /** False once the read ended, failed, or was abandoned: nothing more is fetched. */
  #more = true;
  #listener: ((page: Page) => void) | undefined;

  constructor(source: AsyncIterable<Page>, limits: ReadAheadLimits) {
    this.#it = source[Symbol.asyncIterator]();
    this.#limits = { pages: Math.max(1, limits.pages), records: Math.max(1, limits.records) };
  }

  /** The next group of pages in read order (undefined at the end), never empty. */
  async nextGroup(): Promise<Page[] | undefined> {
    this.#fill();
    const first = this.#queue.shift();
    if (!first) return undefined;
    const r = await first.promise;
    this.#fill();
    if (r.done) return undefined;
    const group = [r.value];
    let records = r.value.records.length;
    for (;;) {
      const last = group[group.length - 1]!;
      if (last.done || last.deletions.length > 0) break;
      const head = this.#queue[0]?.result;
      if (!head || head.done || records + head.value.records.length > this.#limits.records) break;
      this.#queue.shift();
      group.push(head.value);
      records += head.value.records.length;
      this.#fill();
    }
    return group;
  }

  /**
   * Calls `listener` with each page as soon as it is read (before a group takes it): work that needs
   * only the page can start then. A listener that throws is ignored; the read goes on.
   */
  whenRead(listener: (page: Page) => void): void {
    this.#listener = listener;
  }

  /** Pages read and not yet taken by a group (the fetch in flight not counted): what the next group can hold. */
  get buffered(): number {
    return this.#queue.filter((s) => s.result !== undefined && !s.result.done).length;
  }

  /**
   * Stops the read: ends the source now when no fetch is in flight; else lets that fetch end on its own
   * (closing the connector fails what is left of it) and drops its page, as a crash would.
   */
  async abandon(): Promise<void> {
    this.#more = false;
    const inFlight = this.#queue.find((s) => !s.result);
    this.#queue.length = 0;
    const end = async () => {
      await this.#it.return?.().catch(() => {});
    };
    if (inFlight) void inFlight.promise.then(end, end);
    else await end();
  }

  #tell(page: Page): void {
    try {
      this.#listener?.(page);
    } catch {
      // Only an optimization listens: the page is still handed to its group.
    }
  }

  /**
   * Starts the next fetch when none is in flight, the last page read was not the last, and there is room:
   * fewer than `pages` pages and fewer than `records` records read and not taken.
   */
  #fill(): void {
    if (!this.#more || this.#queue.length >= this.#limits.pages) return;
    const last = this.#queue[this.#queue.length - 1];
    if (last && !last.result) return; // one request at a time: the source's order and its cursors
    let waiting = 0;
    for (const s of this.#queue) if (s.result && !s.result.done) waiting += s.result.value.records.length;
    if (waiting >= this.#limits.records) return;
    const slot: Slot = { promise: this.#it.next() };
    this.#queue.push(slot);
    slot.promise.then(
      (r) => {
        slot.result = r;
        if (r.done || r.value.done) this.#more = false;
        this.#fill();
        if (!r.done) this.#tell(r.value);
      },
      () => {
        this.#more = false; // observed by the group that asks for this page
      },
    );
  }
}
