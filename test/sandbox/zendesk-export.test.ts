import { describe, expect, it } from "vitest";
import { decodeExportCursor, encodeExportCursor } from "../../src/sandbox/zendesk/export-cursor.ts";
import {
  byStream,
  cursorPage,
  type Stamped,
  timePage,
} from "../../src/sandbox/zendesk/incremental-export.ts";
import { decodeListCursor, listPage } from "../../src/sandbox/zendesk/list-pagination.ts";

// 10 items at t=100..104 two per second, then a burst of 5 at t=200, one item inside the hold-back at t=990.
const stream: Stamped[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ id: 10 - i, ts: 100 + Math.floor(i / 2) })),
  ...Array.from({ length: 5 }, (_, i) => ({ id: 50 + i, ts: 200 })),
  { id: 99, ts: 990 },
].sort(byStream);
const now = 1000;

describe("export cursor", () => {
  it("round-trips and matches Zendesk's documented example", () => {
    expect(decodeExportCursor("MTU3NjYxMzUzOS4wfHw0Njd8")).toEqual({ ts: 1576613539, id: 467 });
    expect(decodeExportCursor(encodeExportCursor({ ts: 5, id: 7 }))).toEqual({ ts: 5, id: 7 });
    expect(decodeExportCursor("bm9wZQ==")).toBeUndefined();
  });
});

describe("cursor mode", () => {
  it("walks the whole stream once, in (ts, id) order, without the last minute", () => {
    const seen: number[] = [];
    let from = { ts: 0, id: -1 };
    let pages = 0;
    for (;;) {
      const page = cursorPage(stream, from, 4, now);
      seen.push(...page.items.map((x) => x.id));
      from = page.after;
      pages++;
      if (page.endOfStream) break;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([9, 10, 7, 8, 5, 6, 3, 4, 1, 2, 50, 51, 52, 53, 54]);
    // Later, once the held-back item is old enough, the saved cursor resumes with exactly it.
    expect(cursorPage(stream, from, 4, 1100).items.map((x) => x.id)).toEqual([99]);
  });

  it("keeps the cursor on an empty page", () => {
    const page = cursorPage(stream, { ts: 200, id: 54 }, 4, now);
    expect(page).toEqual({ items: [], after: { ts: 200, id: 54 }, endOfStream: true });
  });
});

describe("time mode", () => {
  it("repeats boundary-second items and still reaches the end", () => {
    const seen: number[] = [];
    let start = 0;
    for (let i = 0; i < 20; i++) {
      const page = timePage(stream, start, 6, now);
      seen.push(...page.items.map((x) => x.id));
      start = page.endTime;
      if (page.endOfStream) break;
    }
    expect(new Set(seen)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50, 51, 52, 53, 54]));
    expect(seen.length).toBeGreaterThan(15); // duplicates at page boundaries
  });

  it("does not advance end_time when a page is full of one second", () => {
    const page = timePage(stream, 200, 3, now);
    expect(page.items.map((x) => x.id)).toEqual([50, 51, 52]);
    expect(page.endTime).toBe(200);
    expect(page.endOfStream).toBe(false);
  });
});

describe("list pagination", () => {
  const users = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
  it("pages forward with has_more and next links", () => {
    const p1 = listPage(users, 3, {}, "http://h/api/v2/users.json");
    expect(p1.items.map((u) => u.id)).toEqual([1, 2, 3]);
    expect(p1.meta.has_more).toBe(true);
    const after = new URL(p1.links.next!).searchParams.get("page[after]")!;
    expect(decodeListCursor(after)).toBe(3);
    const p3 = listPage(users, 3, { after: 6 }, "http://h/api/v2/users.json");
    expect(p3.items.map((u) => u.id)).toEqual([7]);
    expect(p3.meta.has_more).toBe(false);
    expect(p3.links.next).toBeNull();
  });
});
