import { hash32, pick, unit } from "../core/rng.ts";
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

/** Person `p` of population `seed` (any p >= 0; persons past `people` are created while running). */
export function makePerson(seed: number, p: number, companies: number): Person {
  const female = unit(seed, p, 10) < 0.5;
  const firstName = female ? pick(FIRST_NAMES_F, seed, p, 11) : pick(FIRST_NAMES_M, seed, p, 11);
  const lastName = pick(LAST_NAMES, seed, p, 12);
  const middleName =
    unit(seed, p, 13) < 0.3 ? pick(female ? FIRST_NAMES_F : FIRST_NAMES_M, seed, p, 14) : null;
  const [city, state, zip, area] = pick(CITIES, seed, p, 15);
  const local = `${ascii(firstName)}.${ascii(lastName)}${hash32(seed, p, 16) % 1000}`.toLowerCase();
  const y = 1950 + (hash32(seed, p, 17) % 55);
  const m = 1 + (hash32(seed, p, 18) % 12);
  const d = 1 + (hash32(seed, p, 19) % 28);
  return {
    id: `p${String(p).padStart(6, "0")}`,
    index: p,
    firstName,
    middleName,
    lastName,
    gender: female ? "female" : "male",
    birthDate: `${y}-${pad2(m)}-${pad2(d)}`,
    email: `${local}@${pick(PERSONAL_DOMAINS, seed, p, 20)}`,
    phone: `${area}${digits(seed, p, 21, 7)}`,
    mobilePhone: `${area}${digits(seed, p, 22, 7)}`,
    street: `${1 + (hash32(seed, p, 23) % 9900)} ${pick(STREETS, seed, p, 24)}`,
    city,
    state,
    postalCode: `${zip}${hash32(seed, p, 25) % 10}${hash32(seed, p, 26) % 10}`,
    country: "US",
    title: pick(TITLES, seed, p, 27),
    companyIndex: hash32(seed, p, 28) % Math.max(1, companies),
    usesSharedEmail: unit(seed, p, 29) < 0.06,
  };
}

/** Company `c` of population `seed`. */
export function makeCompany(seed: number, c: number): Company {
  const word = pick(COMPANY_WORDS, seed, c, 40);
  const kind = pick(COMPANY_KINDS, seed, c, 41);
  const [city, state, zip, area] = pick(CITIES, seed, c, 42);
  const domain = `${word}${kind}${c}.example.com`.toLowerCase();
  return {
    id: `c${String(c).padStart(5, "0")}`,
    index: c,
    name: `${word} ${kind} ${pick(COMPANY_SUFFIXES, seed, c, 43)}`,
    domain,
    sharedEmail: `info@${domain}`,
    phone: `${area}${digits(seed, c, 44, 7)}`,
    street: `${1 + (hash32(seed, c, 45) % 9900)} ${pick(STREETS, seed, c, 46)}`,
    city,
    state,
    postalCode: `${zip}${hash32(seed, c, 47) % 100}`.padEnd(5, "0"),
    country: "US",
  };
}

function digits(seed: number, p: number, salt: number, n: number): string {
  let s = String(2 + (hash32(seed, p, salt) % 8));
  for (let i = 1; i < n; i++) s += String(hash32(seed, p, salt, i) % 10);
  return s;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

function ascii(s: string): string {
  return s.normalize("NFD").replace(/[^A-Za-z]/g, "");
}
