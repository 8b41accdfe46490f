import {
  normalizeAddress,
  normalizeDate,
  normalizeEmail,
  normalizeMatchPhone,
  normalizeName,
} from "./normalize-match-value.ts";

/** What ML matching compares of a profile: its normalized identifying values. */
export interface LinkageRecord {
  id: string;
  firstName?: string;
  lastName?: string;
  birthDate?: string;
  emails: string[];
  phones: string[];
  /** Street line and postal code (or city) of each address, joined: `"12 main st|02134"`. */
  addresses: string[];
}

const EMAIL_MEMBERS = ["EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"];
const PHONE_MEMBERS = ["PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"];
const ADDRESS_MEMBERS = ["Address", "ShippingAddress", "MailingAddress", "BillingAddress"];

/**
 * The linkage record of a profile's fields (flattened: `FirstName`, `Address.Address1`, …) — the
 * attributes AWS's identity resolution reads (names, email and phone members, birth date, addresses).
 */
export function linkageRecordOf(id: string, fields: Readonly<Record<string, string>>): LinkageRecord {
  const distinct = (values: (string | undefined)[]) => [
    ...new Set(values.filter((v): v is string => v !== undefined)),
  ];
  const opt = <K extends string>(key: K, v: string | undefined) => (v === undefined ? {} : { [key]: v });
  const first = fields["FirstName"];
  const last = fields["LastName"];
  const birth = fields["BirthDate"];
  return {
    id,
    ...opt("firstName", first ? normalizeName(first) : undefined),
    ...opt("lastName", last ? normalizeName(last) : undefined),
    ...opt("birthDate", birth ? normalizeDate(birth) : undefined),
    emails: distinct(EMAIL_MEMBERS.map((m) => (fields[m] ? normalizeEmail(fields[m]) : undefined))),
    phones: distinct(PHONE_MEMBERS.map((m) => (fields[m] ? normalizeMatchPhone(fields[m]) : undefined))),
    addresses: distinct(
      ADDRESS_MEMBERS.map((m) => {
        const street = fields[`${m}.Address1`];
        const place = fields[`${m}.PostalCode`] ?? fields[`${m}.City`];
        if (!street || !place) return undefined;
        const s = normalizeAddress(street);
        const p = normalizeAddress(place);
        return s && p ? `${s}|${p}` : undefined;
      }),
    ),
  };
}

/**
 * The blocks a record falls in: records sharing a block are compared, no other pair is. Exact email,
 * phone and address; full name; first name or last name with the birth date; first name with the
 * last name's first three letters (a typo later in the last name). The caller drops blocks above a
 * size cap, so a common value never makes the cost quadratic.
 */
export function blockingKeys(r: LinkageRecord): string[] {
  const keys: string[] = [];
  for (const e of r.emails) keys.push(`e:${e}`);
  for (const p of r.phones) keys.push(`p:${p}`);
  for (const a of r.addresses) keys.push(`a:${a}`);
  if (r.firstName && r.lastName) {
    keys.push(`n:${r.firstName}|${r.lastName}`);
    keys.push(`n3:${r.firstName}|${r.lastName.slice(0, 3)}`);
  }
  if (r.birthDate) {
    if (r.firstName) keys.push(`fd:${r.firstName}|${r.birthDate}`);
    if (r.lastName) keys.push(`ld:${r.lastName}|${r.birthDate}`);
  }
  return keys;
}
