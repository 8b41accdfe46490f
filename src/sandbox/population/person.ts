import { hashAfter, hashPrefix } from "../core/rng.ts";
import {
  CITIES,
  COMPANY_KINDS,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  LAST_NAMES,
  PERSONAL_DOMAINS,
  STREETS,
  TITLES,
} from "./names.ts";

/** The canonical facts about one person; sources show variants of these. */
export interface Person {
  id: string;
  index: number;
  firstName: string;
  middleName: string | null;
  lastName: string;
  gender: "female" | "male";
  birthDate: string;
  /** The person's own address; lower case, no whitespace. */
  email: string;
  /** 10 digits, US national number. */
  phone: string;
  mobilePhone: string;
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  title: string;
  companyIndex: number;
  /** True when this person uses the company's shared mailbox (info@…) instead of their own address. */
  usesSharedEmail: boolean;
}

/** A company: one Salesforce Account; several persons work there. */
export interface Company {
  id: string;
  index: number;
  name: string;
  domain: string;
  /** The shared mailbox several employees give as their email. */
  sharedEmail: string;
  phone: string;
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

const U32 = 4294967296;

/**
 * Person `p` of population `seed` (any p >= 0; persons past `people` are created while running). Every draw is
 * `hash32(seed, p, salt)`, computed from one shared prefix: a scan builds a fresh person per row.
 */
export function makePerson(seed: number, p: number, companies: number): Person {
  const h = hashPrefix(seed, p);
  const female = hashAfter(h, 10) / U32 < 0.5;
  const firstNames = female ? FIRST_NAMES_F : FIRST_NAMES_M;
  const firstName = firstNames[hashAfter(h, 11) % firstNames.length]!;
  const lastName = LAST_NAMES[hashAfter(h, 12) % LAST_NAMES.length]!;
  const middleName = hashAfter(h, 13) / U32 < 0.3 ? firstNames[hashAfter(h, 14) % firstNames.length]! : null;
  const [city, state, zip, area] = CITIES[hashAfter(h, 15) % CITIES.length]!;
  const local = `${asciiLower(firstName)}.${asciiLower(lastName)}${hashAfter(h, 16) % 1000}`;
  const y = 1950 + (hashAfter(h, 17) % 55);
  const m = 1 + (hashAfter(h, 18) % 12);
  const d = 1 + (hashAfter(h, 19) % 28);
  return {
    id: `p${String(p).padStart(6, "0")}`,
    index: p,
    firstName,
    middleName,
    lastName,
    gender: female ? "female" : "male",
    birthDate: `${y}-${PAD2[m]}-${PAD2[d]}`,
    email: `${local}@${PERSONAL_DOMAINS[hashAfter(h, 20) % PERSONAL_DOMAINS.length]}`,
    phone: `${area}${digits(h, 21)}`,
    mobilePhone: `${area}${digits(h, 22)}`,
    street: `${1 + (hashAfter(h, 23) % 9900)} ${STREETS[hashAfter(h, 24) % STREETS.length]}`,
    city,
    state,
    postalCode: `${zip}${hashAfter(h, 25) % 10}${hashAfter(h, 26) % 10}`,
    country: "US",
    title: TITLES[hashAfter(h, 27) % TITLES.length]!,
    companyIndex: hashAfter(h, 28) % Math.max(1, companies),
    usesSharedEmail: hashAfter(h, 29) / U32 < 0.06,
  };
}

/** Company `c` of population `seed`. */
export function makeCompany(seed: number, c: number): Company {
  const h = hashPrefix(seed, c);
  const word = COMPANY_WORDS[hashAfter(h, 40) % COMPANY_WORDS.length]!;
  const kind = COMPANY_KINDS[hashAfter(h, 41) % COMPANY_KINDS.length]!;
  const [city, state, zip, area] = CITIES[hashAfter(h, 42) % CITIES.length]!;
  const domain = `${word}${kind}${c}.example.com`.toLowerCase();
  return {
    id: `c${String(c).padStart(5, "0")}`,
    index: c,
    name: `${word} ${kind} ${COMPANY_SUFFIXES[hashAfter(h, 43) % COMPANY_SUFFIXES.length]}`,
    domain,
    sharedEmail: `info@${domain}`,
    phone: `${area}${digits(h, 44)}`,
    street: `${1 + (hashAfter(h, 45) % 9900)} ${STREETS[hashAfter(h, 46) % STREETS.length]}`,
    city,
    state,
    postalCode: `${zip}${hashAfter(h, 47) % 100}`.padEnd(5, "0"),
    country: "US",
  };
}

/** Seven digits, the first 2–9, each `hash32(seed, p, salt[, i])` — built as one number, then one string. */
function digits(h: number, salt: number): string {
  let n = 2 + (hashAfter(h, salt) % 8);
  for (let i = 1; i < 7; i++) n = n * 10 + (hashAfter(h, salt, i) % 10);
  return String(n);
}

const PAD2 = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, "0"));

// Names come from fixed lists, so their ASCII lower-case forms are worth remembering.
const ASCII_LOWER = new Map<string, string>();
function asciiLower(s: string): string {
  let a = ASCII_LOWER.get(s);
  if (a === undefined) {
    a = s
      .normalize("NFD")
      .replace(/[^A-Za-z]/g, "")
      .toLowerCase();
    ASCII_LOWER.set(s, a);
  }
  return a;
}
