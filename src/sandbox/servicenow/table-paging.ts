/**
 * Offset paging of the Table API: `sysparm_limit` (default 10,000) and `sysparm_offset`, re-evaluated on every
 * request (no snapshot, so rows moving during a read shift later pages: the real offset drift), with the
 * `Link` header (first / prev / next / last) and `X-Total-Count`.
 */

/** The Table API's default page size. */
export const defaultLimit = 10_000;

/** A requested page. */
export interface PageRequest {
  offset: number;
  limit: number;
}

/** Reads `sysparm_limit` / `sysparm_offset`; non-numeric or negative values fall back to the defaults. */
export function readPageRequest(params: URLSearchParams): PageRequest {
  return {
    limit: positiveInt(params.get("sysparm_limit"), defaultLimit, 1),
    offset: positiveInt(params.get("sysparm_offset"), 0, 0),
  };
}

function positiveInt(raw: string | null, fallback: number, min: number): number {
  if (raw === null || raw.trim() === "") return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

/**
 * The `Link` header value for a page of a `total`-row result: first and last always, prev when not at the
 * start, next when rows remain. Every other query parameter is kept as the client sent it.
 */
export function linkHeader(
  resourceUrl: string,
  params: URLSearchParams,
  page: PageRequest,
  total: number,
): string {
  const at = (offset: number): string => {
    const p = new URLSearchParams(params);
    p.set("sysparm_limit", String(page.limit));
    p.set("sysparm_offset", String(offset));
    return `<${resourceUrl}?${p.toString()}>`;
  };
  const last = total > 0 ? Math.floor((total - 1) / page.limit) * page.limit : 0;
  const links = [`${at(0)};rel="first"`];
  if (page.offset > 0) links.push(`${at(Math.max(0, page.offset - page.limit))};rel="prev"`);
  if (page.offset + page.limit < total) links.push(`${at(page.offset + page.limit)};rel="next"`);
  links.push(`${at(last)};rel="last"`);
  return links.join(",");
}

/** Parses a `Link` header into rel → URL (used by tests and by anything that follows `next`). */
export function parseLinkHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)) out[m[2]!] = m[1]!;
  return out;
}
