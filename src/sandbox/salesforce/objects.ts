import type { ObjectDef, SandboxWorld } from "../core/index.ts";
import { hash32, pick } from "../core/rng.ts";
import { SALESFORCE_PREFIX, salesforceId, salesforceIndex } from "../population/ids.ts";
import type { Population } from "../population/population.ts";

const USER_ID = "005Sb0000000001AAA";
const INDUSTRIES = [
  "Technology",
  "Retail",
  "Healthcare",
  "Finance",
  "Manufacturing",
  "Media",
  "Energy",
] as const;
const PRODUCTS = [
  "Router X1",
  "Sensor Kit",
  "Cloud Seat",
  "Support Plan",
  "Gateway Pro",
  "Label Printer",
] as const;
const CASE_STATUS = ["New", "Working", "Escalated", "Closed"] as const;
const SUBJECTS = [
  "Cannot log in",
  "Invoice question",
  "Device offline",
  "Feature request",
  "Shipping delay",
  "Password reset",
] as const;

const idDef = (object: keyof typeof SALESFORCE_PREFIX) => ({
  idOf: (i: number) => salesforceId(SALESFORCE_PREFIX[object], i),
  indexOf: (id: string) => salesforceIndex(SALESFORCE_PREFIX[object], id),
});
const key = (k: string, v: unknown) => ({ key: k, value: String(v) });

/** The person index behind Contact `k`. */
function contactPerson(pop: Population, k: number): number {
  return pop.personOf("salesforce", k);
}

/** Builds the four Salesforce object definitions over `world`'s population. */
export function salesforceObjectDefs(world: SandboxWorld): ObjectDef[] {
  const pop = world.population;
  const seed = pop.seed;
  const contacts = pop.count("salesforce");
  const assets = pop.children(contacts, 0.5, "salesforce/Asset");
  const cases = pop.children(contacts, 1, "salesforce/Case");
  const contactId = (k: number) => salesforceId(SALESFORCE_PREFIX.Contact, k);
  const accountId = (c: number) => salesforceId(SALESFORCE_PREFIX.Account, c);
  const accountOfContact = (k: number) => pop.person(contactPerson(pop, k)).companyIndex;

  const account: ObjectDef = {
    vendor: "salesforce",
    name: "Account",
    count: pop.companies,
    ...idDef("Account"),
    generate(c) {
      const co = pop.company(c);
      const addr = {
        Street: co.street,
        City: co.city,
        State: co.state,
        PostalCode: co.postalCode,
        Country: co.country,
      };
      const out: Record<string, unknown> = {
        Name: co.name,
        AccountNumber: `AN-${String(c).padStart(6, "0")}`,
        Phone: `(${co.phone.slice(0, 3)}) ${co.phone.slice(3, 6)}-${co.phone.slice(6)}`,
        Website: `https://www.${co.domain}`,
        Type: "Customer - Direct",
        Industry: pick(INDUSTRIES, seed, c, 1),
        IsPersonAccount: false,
        OwnerId: USER_ID,
      };
      for (const [k, v] of Object.entries(addr)) {
        out[`Billing${k}`] = v;
        out[`Shipping${k}`] = hash32(seed, c, 2) % 3 === 0 ? null : v;
      }
      return out;
    },
    truth(c) {
      const k = key("_salesforceAccountId", accountId(c));
      return { personId: null, companyId: pop.companyId(c), profileKey: k, keys: [k] };
    },
    change: (_c, n) => ({
      Phone: `(555) 010-${String(1000 + (n % 9000)).slice(-4)}`,
      Industry: pick(INDUSTRIES, seed, n, 3),
    }),
  };

  const contact: ObjectDef = {
    vendor: "salesforce",
    name: "Contact",
    count: contacts,
    ...idDef("Contact"),
    generate(k) {
      const p = contactPerson(pop, k);
      const v = pop.view("salesforce", p);
      return {
        AccountId: accountId(pop.person(p).companyIndex),
        Salutation: v.gender === "female" ? "Ms." : "Mr.",
        FirstName: v.firstName,
        MiddleName: v.middleName,
        LastName: v.lastName,
        Email: v.email,
        Phone: v.phone,
        MobilePhone: v.mobilePhone,
        HomePhone: null,
        MailingStreet: v.street,
        MailingCity: v.city,
        MailingState: v.state,
        MailingPostalCode: v.postalCode,
        MailingCountry: v.country,
        OtherStreet: null,
        OtherCity: null,
        OtherState: null,
        OtherPostalCode: null,
        OtherCountry: null,
        Title: v.title,
        Department: null,
        Birthdate: v.birthDate,
        OwnerId: USER_ID,
      };
    },
    truth(k, fields) {
      const own = key("_salesforceContactId", contactId(k));
      const keys = [own];
      if (fields.AccountId) keys.push(key("_salesforceAccountId", fields.AccountId));
      return {
        personId: pop.personId(contactPerson(pop, k)),
        companyId: pop.companyId(pop.person(contactPerson(pop, k)).companyIndex),
        profileKey: own,
        keys,
      };
    },
    change: (_k, n) => ({
      Title: pick(["Engineer", "Manager", "Director", "Analyst", "Buyer"], seed, n, 4),
      Department: pick(["Sales", "IT", "Ops", "Finance"], seed, n, 5),
    }),
  };

  const childTruth = (idKey: string, id: string, k: number, fields: Readonly<Record<string, unknown>>) => {
    const parent = salesforceIndex(SALESFORCE_PREFIX.Contact, String(fields.ContactId ?? ""));
    const person = parent === undefined ? null : pop.personId(contactPerson(pop, parent));
    const keys = [key(idKey, id)];
    if (fields.ContactId) keys.push(key("_salesforceContactId", fields.ContactId));
    if (fields.AccountId) keys.push(key("_salesforceAccountId", fields.AccountId));
    void k;
    return {
      personId: person,
      companyId: parent === undefined ? null : pop.companyId(accountOfContact(parent)),
      profileKey: keys[1] ?? keys[0]!,
      keys,
    };
  };

  const asset: ObjectDef = {
    vendor: "salesforce",
    name: "Asset",
    count: assets.count,
    ...idDef("Asset"),
    generate(a) {
      const parent = assets.parentOf(a);
      const product = pick(PRODUCTS, seed, a, 6);
      const end = new Date(
        Date.UTC(2024 + (hash32(seed, a, 7) % 4), hash32(seed, a, 8) % 12, 1 + (hash32(seed, a, 9) % 28)),
      );
      return {
        Name: product,
        ContactId: contactId(parent),
        AccountId: accountId(accountOfContact(parent)),
        SerialNumber: `SN-${hash32(seed, a, 10).toString(36).toUpperCase()}`,
        StockKeepingUnit: `SKU-${PRODUCTS.indexOf(product) + 100}`,
        UsageEndDate: end.toISOString().slice(0, 10),
        Status: pick(["Purchased", "Shipped", "Installed", "Registered"], seed, a, 11),
        Price: 10 * (1 + (hash32(seed, a, 12) % 500)),
        Quantity: 1 + (hash32(seed, a, 13) % 5),
        Description: null,
      };
    },
    truth: (a, fields) =>
      childTruth("_salesforceAssetId", salesforceId(SALESFORCE_PREFIX.Asset, a), a, fields),
    change: (_a, n) => ({ Status: pick(["Shipped", "Installed", "Registered", "Obsolete"], seed, n, 14) }),
  };

  const kase: ObjectDef = {
    vendor: "salesforce",
    name: "Case",
    count: cases.count,
    ...idDef("Case"),
    generate(c) {
      const parent = cases.parentOf(c);
      const p = contactPerson(pop, parent);
      const v = pop.view("salesforce", p);
      const status = pick(CASE_STATUS, seed, c, 15);
      return {
        CaseNumber: String(c + 1).padStart(8, "0"),
        AccountId: accountId(accountOfContact(parent)),
        ContactId: contactId(parent),
        Subject: pick(SUBJECTS, seed, c, 16),
        Description: null,
        Status: status,
        Priority: pick(["Low", "Medium", "High"], seed, c, 17),
        Origin: pick(["Phone", "Email", "Web"], seed, c, 18),
        SuppliedEmail: v.email,
        SuppliedName: `${v.firstName} ${v.lastName}`,
        SuppliedPhone: v.phone,
        ClosedDate: null,
        IsClosed: status === "Closed",
      };
    },
    truth: (c, fields) => childTruth("_salesforceCaseId", salesforceId(SALESFORCE_PREFIX.Case, c), c, fields),
    change: (_c, n) => ({
      Status: pick(CASE_STATUS, seed, n, 19),
      Priority: pick(["Low", "Medium", "High"], seed, n, 20),
    }),
  };

  return [account, contact, asset, kase];
}
