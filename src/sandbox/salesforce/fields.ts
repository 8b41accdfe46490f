/** Describe metadata for the simulated objects: the field list, types, and the key prefix. */
export type SfType =
  | "id"
  | "reference"
  | "string"
  | "email"
  | "phone"
  | "textarea"
  | "url"
  | "picklist"
  | "boolean"
  | "datetime"
  | "date"
  | "double"
  | "currency"
  | "int";

/** One field as `describe` shows it. */
export interface SfField {
  name: string;
  type: SfType;
  referenceTo?: string;
}

const f = (name: string, type: SfType, referenceTo?: string): SfField =>
  referenceTo ? { name, type, referenceTo } : { name, type };
const address = (p: string) => [
  f(`${p}Street`, "textarea"),
  f(`${p}City`, "string"),
  f(`${p}State`, "string"),
  f(`${p}PostalCode`, "string"),
  f(`${p}Country`, "string"),
];
const system = [
  f("IsDeleted", "boolean"),
  f("CreatedDate", "datetime"),
  f("CreatedById", "reference", "User"),
  f("LastModifiedDate", "datetime"),
  f("LastModifiedById", "reference", "User"),
  f("SystemModstamp", "datetime"),
];

/** Fields per simulated object, in describe order. */
export const SF_FIELDS: Readonly<Record<string, readonly SfField[]>> = {
  Account: [
    f("Id", "id"),
    f("Name", "string"),
    f("AccountNumber", "string"),
    f("Phone", "phone"),
    f("Website", "url"),
    f("Type", "picklist"),
    f("Industry", "picklist"),
    ...address("Billing"),
    ...address("Shipping"),
    f("IsPersonAccount", "boolean"),
    f("FirstName", "string"),
    f("MiddleName", "string"),
    f("LastName", "string"),
    f("PersonEmail", "email"),
    f("PersonMobilePhone", "phone"),
    f("PersonHomePhone", "phone"),
    f("PersonBirthdate", "date"),
    ...address("PersonMailing"),
    ...address("PersonOther"),
    f("OwnerId", "reference", "User"),
    ...system,
  ],
  Contact: [
    f("Id", "id"),
    f("AccountId", "reference", "Account"),
    f("Salutation", "picklist"),
    f("FirstName", "string"),
    f("MiddleName", "string"),
    f("LastName", "string"),
    f("Email", "email"),
    f("Phone", "phone"),
    f("MobilePhone", "phone"),
    f("HomePhone", "phone"),
    ...address("Mailing"),
    ...address("Other"),
    f("Title", "string"),
    f("Department", "string"),
    f("Birthdate", "date"),
    f("OwnerId", "reference", "User"),
    ...system,
  ],
  Asset: [
    f("Id", "id"),
    f("Name", "string"),
    f("ContactId", "reference", "Contact"),
    f("AccountId", "reference", "Account"),
    f("SerialNumber", "string"),
    f("StockKeepingUnit", "string"),
    f("UsageEndDate", "date"),
    f("Status", "picklist"),
    f("Price", "currency"),
    f("Quantity", "double"),
    f("Description", "textarea"),
    ...system,
  ],
  Case: [
    f("Id", "id"),
    f("CaseNumber", "string"),
    f("AccountId", "reference", "Account"),
    f("ContactId", "reference", "Contact"),
    f("Subject", "string"),
    f("Description", "textarea"),
    f("Status", "picklist"),
    f("Priority", "picklist"),
    f("Origin", "picklist"),
    f("SuppliedEmail", "email"),
    f("SuppliedName", "string"),
    f("SuppliedPhone", "string"),
    f("ClosedDate", "datetime"),
    f("IsClosed", "boolean"),
    ...system,
  ],
};

/** The canonical field of `object` matching `name` case-insensitively (SOQL is case-insensitive). */
export function findField(object: string, name: string): SfField | undefined {
  const lower = name.toLowerCase();
  return SF_FIELDS[object]?.find((x) => x.name.toLowerCase() === lower);
}

/** The canonical object name matching `name` case-insensitively. */
export function findObject(name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(SF_FIELDS).find((o) => o.toLowerCase() === lower);
}

/** `2024-07-24T14:05:58.000+0000`: how REST renders datetimes. */
export function sfDateTime(ms: number): string {
  // Rows render two datetimes each; the date part comes from a small per-day cache, the time from tables.
  if (!(ms >= MIN_FAST && ms < MAX_FAST) || !Number.isInteger(ms)) {
    const s = new Date(ms).toISOString();
    return s.length === 24 ? `${s.slice(0, 23)}+0000` : s.replace("Z", "+0000");
  }
  const day = Math.floor(ms / DAY_MS);
  const slot = day & 15;
  let prefix = DAY_PREFIX[slot];
  if (DAY_KEY[slot] !== day || prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    DAY_KEY[slot] = day;
    DAY_PREFIX[slot] = prefix;
  }
  let r = ms - day * DAY_MS;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  return `${prefix}${PAD[Math.floor(r / 60)]}:${PAD[r % 60]}:${PAD[sec]}.${PAD3[milli]}+0000`;
}

const DAY_MS = 86_400_000;
/** Years 0000–9999, where the ISO form has a four-digit year. */
const MIN_FAST = Date.parse("0000-01-01T00:00:00Z");
const MAX_FAST = Date.parse("9999-12-31T23:59:59.999Z") + 1;
const DAY_KEY = new Float64Array(16).fill(Number.NaN);
const DAY_PREFIX: Array<string | undefined> = new Array(16);
const PAD = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
