import { hashAfter, hashPrefix } from "../core/rng.ts";
import type { Company, Person } from "./person.ts";

/** How one person appears in one source: the canonical facts with realistic noise, nulls for missing. */
export interface PersonView {
  firstName: string;
  middleName: string | null;
  lastName: string;
  email: string | null;
  phone: string | null;
  mobilePhone: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  birthDate: string | null;
  gender: "female" | "male";
  title: string | null;
}

/** The documented noise rates (per person and source) — docs/sandbox.md repeats them. */
export const VARIATION_RATES = {
  /** Email shown with changed case (Upper-cased local part or all caps). */
  emailCase: 0.15,
  /** Email with leading/trailing whitespace. */
  emailWhitespace: 0.05,
  /** Email missing. */
  emailMissing: 0.05,
  /** Phone missing. */
  phoneMissing: 0.1,
  /** Address missing. */
  addressMissing: 0.1,
  /** Last name with two letters swapped. */
  nameTypo: 0.03,
} as const;

/** Phone formats seen in the wild, applied to a 10-digit US number. */
const PHONE_FORMATS: ReadonlyArray<(d: string) => string> = [
  (d) => `+1${d}`,
  (d) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
  (d) => `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
  (d) => `1-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
];

/**
 * Person `person` as source `sourceSalt` shows them; pure in (seed, person, source). `company` is only read
 * for persons using the shared mailbox, so callers may pass undefined for the others.
 */
export function viewOf(
  seed: number,
  person: Person,
  company: Company | undefined,
  sourceSalt: number,
): PersonView {
  // Every draw is hash32(seed, person, source, k): mix the shared head once.
  const h = hashPrefix(seed, person.index, sourceSalt);
  const fmt = PHONE_FORMATS[hashAfter(h, 1) % PHONE_FORMATS.length]!;
  let email: string | null = person.usesSharedEmail ? company!.sharedEmail : person.email;
  if (unitAfter(h, 2) < VARIATION_RATES.emailMissing) email = null;
  else {
    if (unitAfter(h, 3) < VARIATION_RATES.emailCase) {
      email = unitAfter(h, 4) < 0.5 ? email.toUpperCase() : email.charAt(0).toUpperCase() + email.slice(1);
    }
    if (unitAfter(h, 5) < VARIATION_RATES.emailWhitespace)
      email = unitAfter(h, 6) < 0.5 ? ` ${email}` : `${email} `;
  }
  const noAddress = unitAfter(h, 7) < VARIATION_RATES.addressMissing;
  let lastName = person.lastName;
  if (unitAfter(h, 8) < VARIATION_RATES.nameTypo && lastName.length > 3) {
    const i = 1 + (hashAfter(h, 9) % (lastName.length - 2));
    lastName = lastName.slice(0, i) + lastName[i + 1] + lastName[i] + lastName.slice(i + 2);
  }
  return {
    firstName: person.firstName,
    middleName: person.middleName,
    lastName,
    email,
    phone: unitAfter(h, 10) < VARIATION_RATES.phoneMissing ? null : fmt(person.phone),
    mobilePhone: unitAfter(h, 11) < 0.5 ? null : fmt(person.mobilePhone),
    street: noAddress ? null : person.street,
    city: noAddress ? null : person.city,
    state: noAddress ? null : person.state,
    postalCode: noAddress ? null : person.postalCode,
    country: noAddress ? null : unitAfter(h, 12) < 0.5 ? "US" : "United States",
    birthDate: unitAfter(h, 13) < 0.4 ? null : person.birthDate,
    gender: person.gender,
    title: unitAfter(h, 14) < 0.2 ? null : person.title,
  };
}

/** `unit(seed, person, source, k)` from the shared prefix; a plain function, not a closure made per view. */
function unitAfter(h: number, k: number): number {
  return hashAfter(h, k) / 4294967296;
}
