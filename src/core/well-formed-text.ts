// String.prototype.isWellFormed / toWellFormed are Node 20's (ES2024), newer than the ES2023 lib we type against.
const stringMethods = String.prototype as unknown as {
  isWellFormed: (this: string) => boolean;
  toWellFormed: (this: string) => string;
};

const NUL = /\u0000/g;

/**
 * The text with every lone UTF-16 surrogate and every U+0000 (NUL) replaced by U+FFFD: text both
 * databases store and read back unchanged, so a value compares equal to itself after a round trip
 * and is the same on both dialects. Neither keeps a lone surrogate (node-postgres sends U+FFFD for
 * it, better-sqlite3 stores its invalid UTF-8 bytes, read back as three U+FFFD); PostgreSQL's text
 * refuses NUL outright (22021), where SQLite stores it. The surrogate check is O(1) for one-byte
 * strings, which cannot hold a surrogate; the NUL check is one scan.
 */
export function wellFormedText(value: string): string {
  const text = stringMethods.isWellFormed.call(value) ? value : stringMethods.toWellFormed.call(value);
  return text.includes("\u0000") ? text.replace(NUL, "\uFFFD") : text;
}
