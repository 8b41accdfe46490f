/** Longest vendor reason an error message quotes. */
const maxVendorReasonChars = 160;

// C0/C1 controls, zero-width and bidirectional overrides, line/paragraph separators, BOM.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A vendor-supplied string made safe to quote in our errors (which reach API callers): markup and
 * control characters removed, whitespace collapsed, at most `max` characters.
 */
export function sanitizeVendorText(s: string, max = maxVendorReasonChars): string {
  let t = s
    .slice(0, max * 8) // bound the work on a huge field
    .replace(/<[^>]*>?/g, " ")
    .replace(/[<>]/g, " ")
    .replace(unsafe, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (t.length > max) {
    t = t.slice(0, max - 1);
    if (/[\ud800-\udbff]$/.test(t)) t = t.slice(0, -1); // never cut a surrogate pair in two
    t = `${t}…`;
  }
  return t;
}

/** A vendor's error code when it looks like one (letters, digits, `_ . : -`, at most 64), else undefined. */
export function sanitizeVendorCode(v: unknown): string | undefined {
  const s = typeof v === "number" && Number.isFinite(v) ? String(v) : v;
  return typeof s === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(s) ? s : undefined;
}
