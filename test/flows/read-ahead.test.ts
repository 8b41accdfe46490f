import { describe, expect, it } from "vitest";
import type { DeleteEvent, Page } from "../../src/connectors/sdk/index.ts";
import { ReadAhead } from "../../src/flows/read-ahead.ts";
import { waitFor } from "../helpers/wait-for.ts";

interface PageSpec {
  records: number;
  deletions?: number;
  done?: boolean;
}

/**
 * A source whose pages arrive only when the test releases them, recording how many fetches were asked
 * for, how many ran at once, and whether it was closed.
 */
class GatedSource implements AsyncIterable<Page> {
  asked = 0;
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  readonly #gates: Array<() => void> = [];
  readonly #waiting: Array<(release: () => void) => void> = [];

  constructor(
    private readonly pages: PageSpec[],
    private readonly failAt?: number,
  ) {}

  /** Lets the next fetch (asked or not yet asked) complete. */
  release(n = 1): void {
    for (let i = 0; i < n; i++) {
      const w = this.#waiting.shift();
      if (w) w(() => {});
      else this.#gates.push(() => {});
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Page> {
    try {
      for (let i = 0; i < this.pages.length; i++) {
        this.asked++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const gate = this.#gates.shift();
        if (!gate) await new Promise<void>((resolve) => this.#waiting.push(() => resolve()));
        this.inFlight--;
        if (i === this.failAt) throw new Error(`page ${i} failed`);
        const spec = this.pages[i]!;
        yield page(i, spec);
        if (spec.done) return;
      }
    } finally {
      this.closed = true;
    }
  }
}

function page(i: number, spec: PageSpec): Page {
  const records = Array.from({ length: spec.records }, (_, k) => ({
    id: `r${i}.${k}`,
    sourceTimestamp: i,
    data: { i, k },
  }));
  const deletions: DeleteEvent[] = Array.from({ length: spec.deletions ?? 0 }, (_, k) => ({
    id: `d${i}.${k}`,
    deletedAt: i,
  }));
  return { records, deletions, rejected: [], checkpoint: { page: i }, done: spec.done ?? false };
}

/** Waits until `n` pages are read and not yet taken (the fetches released so far have landed). */
const buffered = (ra: ReadAhead, n: number) =>
  waitFor(() => ra.buffered === n, { what: () => `${n} pages read ahead (${ra.buffered})` });
const pageNumbers = (g: Page[] | undefined) => g?.map((p) => p.checkpoint.page);

describe("ReadAhead", () => {
  it("tells its listener of each page as soon as it is read, before a group takes it; a listener that throws changes nothing", async () => {
    const src = new GatedSource([{ records: 1 }, { records: 1 }, { records: 1, done: true }]);
    const ra = new ReadAhead(src, { pages: 4, records: 100 });
    const told: unknown[] = [];
    ra.whenRead((p) => {
      told.push(p.checkpoint.page);
      throw new Error("a listener's failure");
    });
    src.release();
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    expect(told).toEqual([0]);
    src.release(2);
    await buffered(ra, 2);
    // Pages 1 and 2 were told of while no group had taken them yet.
    expect(told).toEqual([0, 1, 2]);
    expect(pageNumbers(await ra.nextGroup())).toEqual([1, 2]);
    expect(await ra.nextGroup()).toBeUndefined();
  });

  it("commits one page at a time when the writes keep up, and the pages waiting as one group when they do not", async () => {
    const src = new GatedSource([
      { records: 2 },
      { records: 2 },
      { records: 2 },
      { records: 2 },
      { records: 2, done: true },
    ]);
    const ra = new ReadAhead(src, { pages: 4, records: 100 });
    src.release();
    // Only page 0 was read: the group does not wait for page 1.
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    // While "writing", three more pages arrive.
    src.release(3);
    await buffered(ra, 3);
    expect(pageNumbers(await ra.nextGroup())).toEqual([1, 2, 3]);
    src.release();
    expect(pageNumbers(await ra.nextGroup())).toEqual([4]);
    expect(await ra.nextGroup()).toBeUndefined();
    // One request at a time, and nothing asked past the page marked done.
    expect(src.maxInFlight).toBe(1);
    expect(src.asked).toBe(5);
  });

  it("holds at most `pages` pages read and not taken", async () => {
    const src = new GatedSource(Array.from({ length: 10 }, () => ({ records: 1 })));
    const ra = new ReadAhead(src, { pages: 3, records: 100 });
    src.release(10);
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    await buffered(ra, 3);
    // Page 0 was taken; pages 1–3 fill the three slots and the next fetch waits for room.
    expect(src.asked).toBe(4);
    expect(pageNumbers(await ra.nextGroup())).toEqual([1, 2, 3]);
    await ra.abandon();
  });

  it("reads ahead only until a group's worth of records waits, then one page per group taken", async () => {
    const src = new GatedSource(Array.from({ length: 10 }, () => ({ records: 4 })));
    const ra = new ReadAhead(src, { pages: 8, records: 6 });
    src.release(10);
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    await buffered(ra, 2);
    // 8 records wait (≥ 6): the page slots left (8) do not matter, nothing more is asked.
    await new Promise((r) => setTimeout(r, 20));
    expect(src.asked).toBe(3);
    expect(ra.buffered).toBe(2);
    expect(pageNumbers(await ra.nextGroup())).toEqual([1]); // 4 + 4 > 6
    await buffered(ra, 2);
    expect(src.asked).toBe(4);
    await ra.abandon();
  });

  it("keeps a group within the record limit, but a page larger than the limit still goes alone", async () => {
    const src = new GatedSource([
      { records: 1 },
      { records: 4 },
      { records: 3 },
      { records: 3 },
      { records: 9 },
      { records: 1, done: true },
    ]);
    const ra = new ReadAhead(src, { pages: 5, records: 6 });
    src.release(6);
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    await buffered(ra, 2); // pages 1 and 2: 7 records wait, a group's worth, so page 3 is not asked yet
    expect(pageNumbers(await ra.nextGroup())).toEqual([1]); // 4 + 3 > 6
    await buffered(ra, 2); // page 3 asked once page 1 was taken
    expect(pageNumbers(await ra.nextGroup())).toEqual([2, 3]);
    expect(pageNumbers(await ra.nextGroup())).toEqual([4]);
    expect(pageNumbers(await ra.nextGroup())).toEqual([5]);
    expect(await ra.nextGroup()).toBeUndefined();
  });

  it("ends a group at a page carrying deletions, so they follow every record before them and none after", async () => {
    const src = new GatedSource([
      { records: 1 },
      { records: 1 },
      { records: 1, deletions: 2 },
      { records: 1 },
      { records: 1, done: true },
    ]);
    const ra = new ReadAhead(src, { pages: 4, records: 100 });
    src.release(5);
    // Nothing is fetched before the first group is asked for: it holds the first page alone.
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    await buffered(ra, 4);
    expect(pageNumbers(await ra.nextGroup())).toEqual([1, 2]);
    expect(pageNumbers(await ra.nextGroup())).toEqual([3, 4]);
  });

  it("returns the pages read before a failed fetch, then the failure", async () => {
    const src = new GatedSource([{ records: 1 }, { records: 1 }, { records: 1 }, { records: 1 }], 3);
    const ra = new ReadAhead(src, { pages: 4, records: 100 });
    src.release(4);
    expect(pageNumbers(await ra.nextGroup())).toEqual([0]);
    await buffered(ra, 2); // pages 1 and 2; page 3's fetch fails
    expect(pageNumbers(await ra.nextGroup())).toEqual([1, 2]);
    await expect(ra.nextGroup()).rejects.toThrow("page 3 failed");
  });

  it("abandon ends the read: at once when idle, after the fetch in flight otherwise", async () => {
    const idle = new GatedSource([{ records: 1 }, { records: 1, done: true }]);
    const a = new ReadAhead(idle, { pages: 1, records: 100 });
    idle.release();
    expect(pageNumbers(await a.nextGroup())).toEqual([0]);
    // The slot was freed as page 0 was taken: page 1 is being fetched.
    expect(idle.inFlight).toBe(1);
    await a.abandon();
    expect(idle.closed).toBe(false); // the fetch in flight ends on its own
    idle.release();
    await waitFor(() => idle.closed, { what: "the source closed after its last fetch" });
    expect(idle.asked).toBe(2);
  });
});
