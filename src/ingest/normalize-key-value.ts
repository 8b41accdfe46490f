import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import type { ContentType } from "./object-type.ts";

/** Options for normalization; `defaultRegion` is used for phone numbers written without a country code. */
export interface NormalizeOptions {
  defaultRegion?: CountryCode;
}

export const DEFAULT_PHONE_REGION: CountryCode = "US";

// Bounded so a long ingestion of unique numbers cannot grow memory without limit; when full the
// oldest entry goes (a Map iterates in insertion order).
const PHONE_MEMO_LIMIT = 50_000;
const phoneMemo = new Map<string, string>();

/**
 * Normalizes a key value by content type, the same way for indexing and for search. Returns
 * undefined when nothing is left (empty or whitespace-only values are absent, not "").
 */
export function normalizeKeyValue(
  contentType: ContentType | undefined,
  value: string,
  options?: NormalizeOptions,
): string | undefined {
  const trimmed = value.trim();
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
  const hit = phoneMemo.get(memoKey);
  if (hit !== undefined) return hit === "" ? undefined : hit;
  const result = computePhone(value, defaultRegion);
  if (phoneMemo.size >= PHONE_MEMO_LIMIT) {
    const oldest = phoneMemo.keys().next().value;
    if (oldest !== undefined) phoneMemo.delete(oldest);
  }
  phoneMemo.set(memoKey, result ?? "");
  return result;
}

function computePhone(value: string, region: CountryCode): string | undefined {
  const parsed = possibleE164(value, region);
  if (parsed) return parsed;
  const digits = value.replace(/\D+/g, "");
  if (digits === "") return undefined;
  const cleaned = (value.trimStart().startsWith("+") ? "+" : "") + digits;
  // Parsing the cleaned form too makes the function idempotent: its output, normalized again, is itself.
  return possibleE164(cleaned, region) ?? cleaned;
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

/** Number of memoized phone numbers; exposed for tests and metrics. */
export function phoneMemoSize(): number {
  return phoneMemo.size;
}
