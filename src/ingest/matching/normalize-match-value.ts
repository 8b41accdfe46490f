import { normalizePhone } from "../normalize-key-value.ts";

/**
 * Normalization of profile values for rule-based matching, as Customer Profiles documents it: case and
 * surrounding/inner whitespace never matter, phone numbers compare as E.164, email addresses
 * case-insensitively, addresses with the usual abbreviations folded, dates as `YYYY-MM-DD`.
 * Every function returns undefined when nothing comparable is left.
 */

/** The kinds of values a matching attribute holds. */
export type MatchValueKind = "name" | "email" | "phone" | "address" | "date" | "text";

const COMBINING = /[\u0300-\u036f]/g;
const SPACES = /\s+/g;

/** Lower case, accents removed, inner whitespace collapsed, trimmed. */
export function normalizeText(value: string): string | undefined {
  const out = value.normalize("NFKD").replace(COMBINING, "").toLowerCase().replace(SPACES, " ").trim();
  return out === "" ? undefined : out;
}

/** A person's name part: text normalization, then anything but letters, digits and inner spaces dropped. */
export function normalizeName(value: string): string | undefined {
  const t = normalizeText(value);
  if (t === undefined) return undefined;
  const out = t.replace(/[^\p{L}\p{N} ]+/gu, "").trim();
  return out === "" ? undefined : out;
}

/** An email address: trimmed, lower-cased; undefined unless it has one `@` with text on both sides. */
export function normalizeEmail(value: string): string | undefined {
  const t = value.replace(SPACES, "").toLowerCase();
  const at = t.indexOf("@");
  if (at <= 0 || at !== t.lastIndexOf("@") || at === t.length - 1) return undefined;
  return t;
}

/** A phone number in E.164 (libphonenumber-js, default region US), or its digits when not parseable. */
export function normalizeMatchPhone(value: string): string | undefined {
  const p = normalizePhone(value.trim());
  // Fewer than 7 digits is an extension or a placeholder, never an identifier of a person.
  if (p === undefined || p.replace(/\D/g, "").length < 7) return undefined;
  return p;
}

const ABBREVIATIONS: Record<string, string> = {
  street: "st",
  avenue: "ave",
  road: "rd",
  boulevard: "blvd",
  drive: "dr",
  lane: "ln",
  court: "ct",
  place: "pl",
  square: "sq",
  terrace: "ter",
  highway: "hwy",
  parkway: "pkwy",
  suite: "ste",
  apartment: "apt",
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  "united states": "us",
  "united states of america": "us",
  usa: "us",
};

/** An address part: text normalization, punctuation dropped, common street words and countries abbreviated. */
export function normalizeAddress(value: string): string | undefined {
  const t = normalizeText(value);
  if (t === undefined) return undefined;
  const cleaned = t.replace(/[.,#]/g, " ").replace(SPACES, " ").trim();
  const whole = ABBREVIATIONS[cleaned];
  if (whole !== undefined) return whole;
  const out = cleaned
    .split(" ")
    .map((w) => ABBREVIATIONS[w] ?? w)
    .join(" ");
  return out === "" ? undefined : out;
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/;
const US_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** A calendar date as `YYYY-MM-DD` from ISO (with or without time), `MM/DD/YYYY` or `YYYYMMDD`. */
export function normalizeDate(value: string): string | undefined {
  const t = value.trim();
  const m = ISO_DATE.exec(t) ?? COMPACT_DATE.exec(t);
  let y: number;
  let mo: number;
  let d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    const us = US_DATE.exec(t);
    if (!us) return undefined;
    [y, mo, d] = [Number(us[3]), Number(us[1]), Number(us[2])];
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return `${String(y).padStart(4, "0")}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Normalizes a value by kind. */
export function normalizeMatchValue(kind: MatchValueKind, value: string): string | undefined {
  switch (kind) {
    case "name":
      return normalizeName(value);
    case "email":
      return normalizeEmail(value);
    case "phone":
      return normalizeMatchPhone(value);
    case "address":
      return normalizeAddress(value);
    case "date":
      return normalizeDate(value);
    default:
      return normalizeText(value);
  }
}
