import { z } from "zod";
import { invalid } from "../../core/errors.ts";
import { parseInput } from "../validate.ts";

/** Where a list page starts and how long it is, from the `next-token` and `max-results` query members. */
export interface PageRequest {
  /** The sort key of the last item of the previous page; undefined on the first page. */
  after: string | undefined;
  limit: number;
}

const maxResults = z.coerce.number().int().min(1).max(100);
const tokenText = z.string().min(1).max(1024);

/**
 * Parses `next-token` (member NextToken) and `max-results` (MaxResults, 1–100, default 100).
 * `list` names the operation a token belongs to, so a token of one list is refused by another.
 */
export function pageRequest(
  query: Record<string, string | string[]>,
  list: string,
  defaultLimit = 100,
): PageRequest {
  const rawMax = single(query["max-results"]);
  const limit = rawMax === undefined ? defaultLimit : parseInput(maxResults, rawMax, "MaxResults");
  const rawToken = single(query["next-token"]);
  if (rawToken === undefined) return { after: undefined, limit };
  return { after: decodePageToken(parseInput(tokenText, rawToken, "NextToken"), list), limit };
}

/** What a token holds: its list and the sort key to resume after. */
const listTokenSchema = z.object({ l: z.string(), a: z.string() });

/** An opaque token that resumes `list` after the item whose sort key is `after`. */
export function encodePageToken(list: string, after: string): string {
  return Buffer.from(JSON.stringify({ l: list, a: after }), "utf8").toString("base64url");
}

/** The sort key inside a token of `list`; VALIDATION_FAILED naming NextToken for anything else. */
export function decodePageToken(token: string, list: string): string {
  try {
    const value = listTokenSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    if (value.success && value.data.l === list) return value.data.a;
  } catch {
    // fall through: not one of our tokens
  }
  throw invalid("NextToken", "1 validation error detected: NextToken is not a token of this list");
}

/** The NextToken of a page: set only when `more` items follow the last one. */
export function nextToken(list: string, items: { key: string }[], more: boolean): string | undefined {
  const last = items[items.length - 1];
  return more && last ? encodePageToken(list, last.key) : undefined;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}
