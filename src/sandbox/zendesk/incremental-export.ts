import { isAfter, type StreamPosition } from "./export-cursor.ts";

/**
 * The two incremental export modes over one ordered stream of (change time, id) items. Both exclude items
 * changed in the last minute before the request (the hold-back), so the stream ends at `now − 60 s`.
 */

/** Items changed within this many seconds before the request are not exported yet. */
export const holdBackSeconds = 60;
/** The most a page holds, and the default page size, in both modes. */
export const maxPerPage = 1000;

/** Anything exportable: its id and its change time in epoch seconds. */
export interface Stamped {
  id: number;
  ts: number;
}

/** Orders items by (change time, id), the export order. */
export function byStream(a: Stamped, b: Stamped): number {
  return a.ts - b.ts || a.id - b.id;
}

/** A cursor-mode page: `after` is the new cursor position (unchanged when the page is empty). */
export interface CursorPage<T> {
  items: T[];
  after: StreamPosition;
  endOfStream: boolean;
}

/**
 * One cursor-mode page from a stream sorted by `byStream`: the items after `from`, up to `perPage`, no later
 * than `nowS − 60`. `end_of_stream` is true when nothing exportable remains after the page.
 */
export function cursorPage<T extends Stamped>(
  sorted: readonly T[],
  from: StreamPosition,
  perPage: number,
  nowS: number,
): CursorPage<T> {
  const horizon = nowS - holdBackSeconds;
  const start = firstAfter(sorted, from);
  const items: T[] = [];
  let i = start;
  for (; i < sorted.length && items.length < perPage; i++) {
    const item = sorted[i]!;
    if (item.ts > horizon) break;
    items.push(item);
  }
  const next = sorted[i];
  const endOfStream = next === undefined || next.ts > horizon;
  const last = items.at(-1);
  return { items, after: last ? { ts: last.ts, id: last.id } : from, endOfStream };
}

/** A time-mode page: the next request starts at `endTime`, which repeats the items stamped at it. */
export interface TimePage<T> {
  items: T[];
  endTime: number;
  endOfStream: boolean;
}

/**
 * One time-mode page: items with change time ≥ `startTime`, up to `perPage`. `end_time` is the change time
 * of the last item, so the next page (starting there) returns that second's items again, and more than a
 * page of items on one second makes `end_time` stop advancing: the vendor's own trap, reproduced on purpose.
 */
export function timePage<T extends Stamped>(
  sorted: readonly T[],
  startTime: number,
  perPage: number,
  nowS: number,
): TimePage<T> {
  const page = cursorPage(sorted, { ts: startTime, id: -1 }, perPage, nowS);
  const last = page.items.at(-1);
  return { items: page.items, endTime: last ? last.ts : startTime, endOfStream: page.endOfStream };
}

/** Index of the first item strictly after `p` (binary search; the stream is sorted). */
function firstAfter(sorted: readonly Stamped[], p: StreamPosition): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = sorted[mid]!;
    if (isAfter(item.ts, item.id, p)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
