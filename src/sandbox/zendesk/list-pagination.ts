/**
 * Cursor pagination of Zendesk's list endpoints (`page[size]` ≤ 100, `page[after]`, `page[before]`), answering
 * with `meta {has_more, after_cursor, before_cursor}` and `links {prev, next}`; the cursor is opaque base64.
 */

/** The largest `page[size]` Zendesk accepts for list endpoints. */
export const maxListPageSize = 100;

/** A list page over items sorted by id. */
export interface ListPage<T> {
  items: T[];
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { prev: string | null; next: string | null };
}

/** Encodes an id as a list cursor. */
export function encodeListCursor(id: number): string {
  return Buffer.from(`id:${id}`).toString("base64url");
}

/** Decodes a list cursor; undefined when it is not one of ours. */
export function decodeListCursor(cursor: string): number | undefined {
  const m = /^id:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return m ? Number(m[1]) : undefined;
}

/** Reads `page[size]`, defaulting to 100 and clamping to [1, 100]. */
export function readPageSize(params: URLSearchParams): number {
  const n = Number(params.get("page[size]") ?? maxListPageSize);
  return Number.isInteger(n) && n > 0 ? Math.min(n, maxListPageSize) : maxListPageSize;
}

/** One page of `sorted` (ascending id) after or before a cursor id; links point at `baseUrl`. */
export function listPage<T extends { id: number }>(
  sorted: readonly T[],
  size: number,
  cursor: { after?: number; before?: number },
  baseUrl: string,
): ListPage<T> {
  let items: T[];
  let hasMore: boolean;
  if (cursor.before !== undefined) {
    const before = sorted.filter((x) => x.id < cursor.before!);
    items = before.slice(Math.max(0, before.length - size));
    hasMore = before.length > size;
  } else {
    const after = cursor.after === undefined ? sorted : sorted.filter((x) => x.id > cursor.after!);
    items = after.slice(0, size);
    hasMore = after.length > size;
  }
  const first = items[0];
  const last = items.at(-1);
  const afterCursor = last ? encodeListCursor(last.id) : null;
  const beforeCursor = first ? encodeListCursor(first.id) : null;
  const link = (key: string, c: string) =>
    `${baseUrl}?${key}=${encodeURIComponent(c)}&page%5Bsize%5D=${size}`;
  // `has_more` speaks of the direction of travel; a before-page always has a way forward.
  const nextExists = cursor.before !== undefined ? last !== undefined : hasMore;
  return {
    items,
    meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
    links: {
      prev: beforeCursor ? link("page%5Bbefore%5D", beforeCursor) : null,
      next: nextExists && afterCursor ? link("page%5Bafter%5D", afterCursor) : null,
    },
  };
}
