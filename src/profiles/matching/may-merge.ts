import { type Comparison, FIELDS, type LinkageField } from "../../ingest/matching/fellegi-sunter.ts";

/** AutoMerging without MinAllowedConfidenceScoreForMerging merges pairs at least this likely (docs/matching.md). */
export const DEFAULT_MERGE_SCORE = 0.99;

/** Consolidation attribute names → the compared field that stands for them. */
const ATTRIBUTE_FIELD: Record<string, LinkageField> = {
  FirstName: "FirstName",
  LastName: "LastName",
  BirthDate: "BirthDate",
  EmailAddress: "EmailAddress",
  PersonalEmailAddress: "EmailAddress",
  BusinessEmailAddress: "EmailAddress",
  PhoneNumber: "PhoneNumber",
  HomePhoneNumber: "PhoneNumber",
  MobilePhoneNumber: "PhoneNumber",
  BusinessPhoneNumber: "PhoneNumber",
  Address: "Address",
  ShippingAddress: "Address",
  MailingAddress: "Address",
  BillingAddress: "Address",
};

const idx = (f: LinkageField) => FIELDS.indexOf(f);

/** The fields a pair agrees on exactly (a shared email or phone counts: it is equal). */
export function agreeing(comparison: Comparison): LinkageField[] {
  return FIELDS.filter((f, i) => {
    const l = comparison[i]!;
    return l === 0 || ((f === "EmailAddress" || f === "PhoneNumber") && l === 1);
  });
}

/**
 * Whether a pair may merge: its score reaches the threshold; it agrees on something that identifies a
 * person beyond names (an email or phone nobody else shares, a birth date, an address — the guards:
 * name-only agreement and a shared value alone never merge); and, with Consolidation, on every
 * attribute of one of its lists (an attribute ML matching does not compare never agrees).
 */
export function mayMerge(
  p: { comparison: Comparison; score: number },
  threshold: number,
  consolidation: readonly (readonly string[])[] | undefined,
): boolean {
  if (p.score < threshold) return false;
  const c = p.comparison;
  const identifying =
    c[idx("EmailAddress")] === 0 ||
    c[idx("PhoneNumber")] === 0 ||
    c[idx("BirthDate")] === 0 ||
    c[idx("Address")] === 0;
  if (!identifying) return false;
  if (!consolidation) return true;
  const agree = new Set(agreeing(c));
  return consolidation.some((list) =>
    list.every((attr) => {
      const f = ATTRIBUTE_FIELD[attr] ?? (attr.startsWith("Address.") ? "Address" : undefined);
      return f !== undefined && agree.has(f);
    }),
  );
}
