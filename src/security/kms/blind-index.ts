import { createHmac } from "node:crypto";

/** A key value's blind index: HMAC-SHA256 truncated to 128 bits, base64url. */
export const INDEXED = "pfh1.";

/**
 * The keyed blind index of a (key name, value) pair, given as one string `name\u0000value`: equal pairs
 * of one domain give equal indexes, so lookups by equality keep working, while the stored index says
 * nothing about the value without the domain's data key (HMAC-SHA256 under a key derived from it;
 * 128 bits kept: collisions are negligible for any domain's count of distinct values). The name is part
 * of the input, so one value under two key names gives two unrelated indexes. HMAC's input is the
 * concatenation, so one update of the pair gives the value `pfh1.` indexes have always had (three
 * updates — name, separator, value — cost a native call each).
 */
export function blindIndex(indexKey: Buffer, pair: string): string {
  const mac = createHmac("sha256", indexKey).update(pair, "utf8").digest();
  return `${INDEXED}${mac.subarray(0, 16).toString("base64url")}`;
}
