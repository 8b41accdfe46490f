import { z } from "zod";
import { invalid } from "../core/errors.ts";

/** What a NextToken holds: the offset of the next page. */
const pageTokenSchema = z.object({ o: z.number().int().nonnegative() });

/** An opaque NextToken for an offset into a stable ordering. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

/** The offset of a NextToken; VALIDATION_FAILED naming `NextToken` when it is not one of ours. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed = pageTokenSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data.o;
  } catch {}
  throw invalid("NextToken", "1 validation error detected: NextToken is not a token this service issued");
}

/** One page of items, with the token of the next page when more exist. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Slices `limit + 1` fetched rows into a page starting at `offset`. */
export function toPage<T>(rows: T[], offset: number, limit: number): Page<T> {
  if (rows.length > limit) return { items: rows.slice(0, limit), nextToken: encodePageToken(offset + limit) };
  return { items: rows };
}
