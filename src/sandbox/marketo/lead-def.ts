/**
 * The Marketo `leads` object for the lazy store: lead i is member i of the population's Marketo share.
 * A lead whose person is also a Salesforce contact carries that contact's id (`sfdcContactId`) and the
 * account's (`sfdcAccountId`), as Marketo's CRM sync writes them; the ground truth then says the lead
 * joins the contact's profile through the shared `_salesforceContactId` key (reference/aws-api.md §4.9).
 */
import type { ObjectDef, TruthLinks } from "../core/index.ts";
import { pick } from "../core/index.ts";
import { NUMERIC_ID_BASE, SALESFORCE_PREFIX, salesforceId } from "../population/ids.ts";
import type { Population } from "../population/population.ts";

const BASE = NUMERIC_ID_BASE.marketoLead;
const SOURCES = ["Website", "Webinar", "Trade Show", "Paid Search", "Email", "Partner"] as const;
const TITLES = [
  "Director",
  "Manager",
  "Analyst",
  "Engineer",
  "Consultant",
  "VP Sales",
  "Coordinator",
] as const;

/** The lead id of store index `i`. */
export function leadId(i: number): number {
  return BASE + i;
}

/** The store index of a lead id, or undefined. */
export function leadIndex(id: string | number): number | undefined {
  const n = typeof id === "number" ? id : /^\d+$/.test(id) ? Number(id) : Number.NaN;
  return Number.isSafeInteger(n) && n >= BASE ? n - BASE : undefined;
}

/** The lead index of a Salesforce contact index, when that contact's person is a Marketo lead. */
export function leadOfContactIndex(pop: Population, k: number): number | undefined {
  return pop.memberOf("marketo", pop.personOf("salesforce", k));
}

/** The object definition of Marketo leads over `pop`. */
export function leadDef(pop: Population): ObjectDef {
  return {
    vendor: "marketo",
    name: "leads",
    count: pop.count("marketo"),
    idOf: (i) => String(leadId(i)),
    indexOf: (id) => leadIndex(id),
    generate(i) {
      const p = pop.personOf("marketo", i);
      const person = pop.person(p);
      const company = pop.company(person.companyIndex);
      const v = pop.view("marketo", p);
      const k = pop.memberOf("salesforce", p);
      return {
        id: leadId(i),
        firstName: v.firstName,
        middleName: v.middleName,
        lastName: v.lastName,
        email: v.email,
        phone: v.phone,
        mobilePhone: v.mobilePhone,
        gender: v.gender,
        dateOfBirth: v.birthDate,
        company: company.name,
        title: v.title,
        address: v.street,
        city: v.city,
        state: v.state,
        country: v.country,
        postalCode: v.postalCode,
        billingStreet: company.street,
        billingCity: company.city,
        billingState: company.state,
        billingCountry: company.country,
        billingPostalCode: company.postalCode,
        leadSource: pick(SOURCES, pop.seed, p, 301),
        unsubscribed: false,
        sfdcContactId: k === undefined ? null : salesforceId(SALESFORCE_PREFIX.Contact, k),
        sfdcAccountId: k === undefined ? null : salesforceId(SALESFORCE_PREFIX.Account, person.companyIndex),
      };
    },
    truth(i, fields): TruthLinks {
      const p = pop.personOf("marketo", i);
      const person = pop.person(p);
      const keys = [{ key: "_marketoLeadId", value: String(leadId(i)) }];
      const contact = fields["sfdcContactId"];
      const account = fields["sfdcAccountId"];
      if (typeof contact === "string") keys.push({ key: "_salesforceContactId", value: contact });
      if (typeof account === "string") keys.push({ key: "_salesforceAccountId", value: account });
      return {
        personId: pop.personId(p),
        companyId: pop.companyId(person.companyIndex),
        profileKey: keys[1] ?? keys[0]!,
        keys,
      };
    },
    change(i, n, fields) {
      // Always a real change against the current values, so every update is a visible field change.
      const p = pop.personOf("marketo", i);
      const other = <T>(items: readonly T[], salt: number, current: unknown): T => {
        const first = pick(items, pop.seed, p, n, salt);
        return first === current ? items[(items.indexOf(first) + 1) % items.length]! : first;
      };
      switch (n % 3) {
        case 0:
          return { title: other(TITLES, 302, fields["title"]) };
        case 1:
          return { leadSource: other(SOURCES, 303, fields["leadSource"]) };
        default:
          return { unsubscribed: fields["unsubscribed"] !== true };
      }
    },
  };
}
