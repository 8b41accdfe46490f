import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";

/** Opaque next tokens: base64url of the last key of the page. */
export function encodeToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey })).toString("base64url");
}

/** What a token holds: the key to resume after. */
const tokenSchema = z.object({ k: z.string() });

/** Decodes a token made by encodeToken; VALIDATION_FAILED naming the member otherwise. */
export function decodeToken(token: string | undefined, member: string): string | undefined {
  if (token === undefined) return undefined;
  try {
    const v = tokenSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    if (v.success) return v.data.k;
  } catch {
    // fall through to the error below
  }
  throw new ProfileflowError("VALIDATION_FAILED", `${member} is not a token this service issued`, { member });
}

/** Takes `limit` items of a `limit + 1` query and the token of the next page, if any. */
export function page<T>(
  rows: T[],
  limit: number,
  key: (row: T) => string,
): { items: T[]; next: string | undefined } {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? encodeToken(key(items[items.length - 1]!)) : undefined };
}
