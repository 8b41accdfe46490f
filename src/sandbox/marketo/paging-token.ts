/**
 * Marketo paging tokens: opaque upper-case base32 strings (RFC 4648, `=` padded), as the real service
 * emits. Ours encode a position so a token stays valid across restarts and can be stored by clients.
 */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Encodes bytes as RFC 4648 base32 with padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

/** Decodes RFC 4648 base32; undefined when the text is not base32. */
export function base32Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, "");
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}

/** A place in the activity stream: after the activity with this date and order (exclusive). */
export interface ActivityPosition {
  /** Activity date, epoch milliseconds. */
  at: number;
  /** The activity's order among equal dates; 0 means "before every activity at `at`". */
  id: number;
}

/** A place in a lead lookup: the offset into the result of one filter. */
export interface LeadPosition {
  /** Hash of the filter the token belongs to, so a token cannot be replayed on another filter. */
  filter: string;
  offset: number;
}

/** Encodes an activity-stream position. */
export function encodeActivityToken(p: ActivityPosition): string {
  return base32Encode(Buffer.from(`A:${p.at}:${p.id}`, "utf8"));
}

/** Decodes an activity-stream token; undefined when it is not one of ours. */
export function decodeActivityToken(token: string): ActivityPosition | undefined {
  const bytes = base32Decode(token);
  if (!bytes) return undefined;
  const m = /^A:(-?\d+):(\d+)$/.exec(Buffer.from(bytes).toString("utf8"));
  if (!m) return undefined;
  return { at: Number(m[1]), id: Number(m[2]) };
}

/** Encodes a lead-lookup position. */
export function encodeLeadToken(p: LeadPosition): string {
  return base32Encode(Buffer.from(`L:${p.filter}:${p.offset}`, "utf8"));
}

/** Decodes a lead-lookup token; undefined when it is not one of ours. */
export function decodeLeadToken(token: string): LeadPosition | undefined {
  const bytes = base32Decode(token);
  if (!bytes) return undefined;
  const m = /^L:([0-9a-f]+):(\d+)$/.exec(Buffer.from(bytes).toString("utf8"));
  if (!m) return undefined;
  return { filter: m[1]!, offset: Number(m[2]) };
}
