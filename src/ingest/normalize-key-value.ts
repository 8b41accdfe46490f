import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { wellFormedText } from "../core/well-formed-text.ts";
import type { ContentType } from "./object-type.ts";

export { wellFormedText };

/** Options for normalization; `defaultRegion` is used for phone numbers written without a country code. */
export interface NormalizeOptions {
  defaultRegion?: CountryCode;
}

export const DEFAULT_PHONE_REGION: CountryCode = "US";

// Bounded so a long ingestion of unique numbers cannot grow memory without limit. Two generations:
// when the young one fills up it becomes the old one and the previous old one is dropped, so hits
// survive one turnover and nothing costs more than O(1). (Deleting a Map's oldest entry one at a
// time is not O(1) in V8: iteration skips the deleted slots.)
const PHONE_MEMO_GENERATION = 25_000;
let phoneMemo = new Map<string, string>();
let phoneMemoOld = new Map<string, string>();

/**
 * Normalizes a key value by content type, the same way for indexing and for search. Returns
 * undefined when nothing is left (empty or whitespace-only values are absent, not ""). Lone
 * surrogates and U+0000 become U+FFFD first (`wellFormedText`), on every path, so the same value is
 * always the same key on both dialects.
 */
export function normalizeKeyValue(
  contentType: ContentType | undefined,
  value: string,
  options?: NormalizeOptions,
): string | undefined {
  const trimmed = wellFormedText(value).trim();
  if (trimmed === "") return undefined;
  switch (contentType) {
    case "EMAIL_ADDRESS":
      return trimmed.toLowerCase();
    case "PHONE_NUMBER":
      return normalizePhone(trimmed, options?.defaultRegion ?? DEFAULT_PHONE_REGION);
    case "NUMBER":
      return normalizeNumber(trimmed);
    default:
      return trimmed;
  }
}

/**
 * E.164 when libphonenumber-js finds a possible number (isPossible, not isValid: test and newly
 * allocated ranges must still match); otherwise the fallback: the digits, with a leading "+" kept.
 */
export function normalizePhone(
  value: string,
  defaultRegion: CountryCode = DEFAULT_PHONE_REGION,
): string | undefined {
  const memoKey = defaultRegion + "\u0000" + value;
  const hit = phoneMemo.get(memoKey) ?? phoneMemoOld.get(memoKey);
  if (hit !== undefined) return hit === "" ? undefined : hit;
  const result = computePhone(value, defaultRegion);
  if (phoneMemo.size >= PHONE_MEMO_GENERATION) {
    phoneMemoOld = phoneMemo;
    phoneMemo = new Map();
  }
  phoneMemo.set(memoKey, result ?? "");
  return result;
}

function computePhone(value: string, region: CountryCode): string | undefined {
  const fast = region === "US" ? northAmerican(value) : undefined;
  if (fast !== undefined) return fast;
  const parsed = possibleE164(value, region);
  if (parsed) return parsed;
  const digits = value.replace(/\D+/g, "");
  if (digits === "") return undefined;
  const cleaned = (value.trimStart().startsWith("+") ? "+" : "") + digits;
  // Parsing the cleaned form too makes the function idempotent: its output, normalized again, is itself.
  return possibleE164(cleaned, region) ?? cleaned;
}

const PUNCTUATED_DIGITS = /^\+?[\d\s().-]+$/;

/**
 * The common case without libphonenumber (which costs tens of microseconds a call): a plainly
 * punctuated 10-digit NANP number, or 11 digits starting with 1, gives exactly what
 * parsePhoneNumberFromString(value, "US").number gives, since US possibility is length 10 only.
 * Anything else (letters, extensions, other lengths, other plus codes) takes the full parser.
 */
function northAmerican(value: string): string | undefined {
  if (!PUNCTUATED_DIGITS.test(value)) return undefined;
  const digits = value.replace(/\D+/g, "");
  const plus = value.charCodeAt(0) === 43;
  if (!plus && digits.length === 10 && digits.charCodeAt(0) >= 50) return `+1${digits}`;
  if (digits.length === 11 && digits.charCodeAt(0) === 49 && digits.charCodeAt(1) >= 50) return `+${digits}`;
  return undefined;
}

function possibleE164(value: string, region: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(value, region);
  return parsed?.isPossible() ? parsed.number : undefined;
}

const DECIMAL = /^([+-]?)0*(\d*?)(?:\.(\d*?)0*)?$/;

/** Canonical decimal text ("+007.50" → "7.5", "-0" → "0") by string rules, so large ids keep every digit. */
function normalizeNumber(value: string): string {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) return value;
  const m = DECIMAL.exec(value);
  if (!m) return value;
  const int = m[2] || "0";
  const frac = m[3] ?? "";
  const body = frac ? `${int}.${frac}` : int;
  return m[1] === "-" && body !== "0" ? `-${body}` : body;
}
