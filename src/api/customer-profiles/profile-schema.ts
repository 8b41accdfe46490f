import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import { nameSchema, objectTypeNameSchema } from "../../ingest/index.ts";
import { ADDRESS_FIELDS, type AddressField } from "../../ingest/standard-fields.ts";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import { parseInput } from "../validate.ts";

/**
 * zod schemas of the profile operations' members, with the lengths, patterns and enums of the
 * botocore model (customer-profiles 2020-08-15). Unknown members are dropped, as the service does.
 */

export const profileIdSchema = z.string().regex(/^[a-f0-9]{32}$/, "must match ^[a-f0-9]{32}$");
export const keyNameSchema = nameSchema;
export { objectTypeNameSchema };

const s255 = z.string().min(1).max(255);
const u255 = z.string().min(0).max(255);
export const valuesSchema = z.array(s255);

const address = (s: z.ZodString) =>
  z.object(
    Object.fromEntries(ADDRESS_FIELDS.map((p) => [p, s.optional()])) as Record<
      AddressField,
      z.ZodOptional<z.ZodString>
    >,
  );

const stringMembers = [
  "AccountNumber",
  "BusinessName",
  "FirstName",
  "MiddleName",
  "LastName",
  "BirthDate",
  "PhoneNumber",
  "MobilePhoneNumber",
  "HomePhoneNumber",
  "BusinessPhoneNumber",
  "EmailAddress",
  "PersonalEmailAddress",
  "BusinessEmailAddress",
  "PartyTypeString",
  "GenderString",
] as const;

const contactPreference = z.object({
  KeyName: nameSchema.optional(),
  KeyValue: s255.optional(),
  ProfileId: profileIdSchema.optional(),
  ContactType: z
    .enum([
      "PhoneNumber",
      "MobilePhoneNumber",
      "HomePhoneNumber",
      "BusinessPhoneNumber",
      "EmailAddress",
      "PersonalEmailAddress",
      "BusinessEmailAddress",
    ])
    .optional(),
});

function profileMembers(update: boolean) {
  const s = update ? u255 : s255;
  return {
    ...Object.fromEntries(stringMembers.map((m) => [m, s.optional()])),
    AdditionalInformation: z
      .string()
      .min(update ? 0 : 1)
      .max(1000)
      .optional(),
    PartyType: z.enum(["INDIVIDUAL", "BUSINESS", "OTHER"]).optional(),
    Gender: z.enum(["MALE", "FEMALE", "UNSPECIFIED"]).optional(),
    ProfileType: z.enum(["ACCOUNT_PROFILE", "PROFILE"]).optional(),
    Address: address(s).optional(),
    ShippingAddress: address(s).optional(),
    MailingAddress: address(s).optional(),
    BillingAddress: address(s).optional(),
    Attributes: z.record(s255, s).optional(),
    EngagementPreferences: z
      .object({ Phone: z.array(contactPreference).optional(), Email: z.array(contactPreference).optional() })
      .optional(),
  };
}

/** CreateProfile: every member optional, strings 1–255 (AdditionalInformation 1–1000). */
export const createProfileSchema = z.object(profileMembers(false));
/** UpdateProfile: ProfileId plus the same members, min length 0 ("" clears a field). */
export const updateProfileSchema = z.object({ ProfileId: profileIdSchema, ...profileMembers(true) });

/** The DomainName path member, checked for pattern and existence. */
export async function requireDomain(domains: DomainLookup, params: Record<string, string>): Promise<string> {
  const name = parseInput(nameSchema, params["DomainName"], "DomainName");
  if (!(await domains.get(name))) throw notFound(`Domain ${name} does not exist`, { member: "DomainName" });
  return name;
}

/** How long a domain seen to exist is taken to exist by `requireDomainRechecked`. */
const SEEN_DOMAIN_MS = 1_000;
const seenDomains = new WeakMap<DomainLookup, Map<string, number>>();

/**
 * `requireDomain` for an operation whose service reads the domain again inside its own transaction
 * (ProfileService: SearchProfiles, PutProfileObject): a domain seen to exist in the last second is not
 * read again here. This edge check only orders the errors (ResourceNotFound before the body's
 * validation), so a domain deleted since — in this process or another — is still refused with the same
 * ResourceNotFound by the service's read. Only existence is remembered, never absence.
 */
export async function requireDomainRechecked(
  domains: DomainLookup,
  params: Record<string, string>,
  now = Date.now(),
): Promise<string> {
  const name = parseInput(nameSchema, params["DomainName"], "DomainName");
  let seen = seenDomains.get(domains);
  if (!seen) {
    seen = new Map();
    seenDomains.set(domains, seen);
  }
  const until = seen.get(name);
  if (until !== undefined && until > now) return name;
  if (!(await domains.get(name))) {
    seen.delete(name);
    throw notFound(`Domain ${name} does not exist`, { member: "DomainName" });
  }
  if (seen.size >= 10_000) seen.clear();
  seen.set(name, now + SEEN_DOMAIN_MS);
  return name;
}

const maxResults = z.coerce.number().int().min(1).max(100);
const tokenText = z.string().min(1).max(1024);

/** `next-token` and `max-results` (1–100) of a list operation. */
export function listPage(
  query: Record<string, string | string[]>,
  defaultMax = 100,
): { nextToken: string | undefined; maxResults: number } {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
  const rawMax = one(query["max-results"]);
  const rawToken = one(query["next-token"]);
  return {
    maxResults: rawMax === undefined ? defaultMax : parseInput(maxResults, rawMax, "MaxResults"),
    nextToken: rawToken === undefined ? undefined : parseInput(tokenText, rawToken, "NextToken"),
  };
}
