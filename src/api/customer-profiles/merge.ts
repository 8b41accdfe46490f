import { z } from "zod";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { profileIdSchema, requireDomain } from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

const fieldNames = [
  "AccountNumber",
  "AdditionalInformation",
  "PartyType",
  "BusinessName",
  "FirstName",
  "MiddleName",
  "LastName",
  "BirthDate",
  "Gender",
  "PhoneNumber",
  "MobilePhoneNumber",
  "HomePhoneNumber",
  "BusinessPhoneNumber",
  "EmailAddress",
  "PersonalEmailAddress",
  "BusinessEmailAddress",
  "Address",
  "ShippingAddress",
  "MailingAddress",
  "BillingAddress",
  "ProfileType",
  "EngagementPreferences",
] as const;
const mergeSchema = z.object({
  MainProfileId: profileIdSchema,
  ProfileIdsToBeMerged: z.array(profileIdSchema).min(1).max(20),
  FieldSourceProfileIds: z
    .object({
      ...Object.fromEntries(fieldNames.map((f) => [f, profileIdSchema.optional()])),
      Attributes: z.record(z.string().min(1).max(255), profileIdSchema).optional(),
    })
    .optional(),
});

/** MergeProfiles. */
export function mergeOperations(deps: ProfileOperationsDeps): Operation[] {
  return [
    {
      name: "MergeProfiles",
      method: "POST",
      path: "/domains/:DomainName/profiles/objects/merge",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const input = parseInput(mergeSchema, ctx.body);
        const sources = input.FieldSourceProfileIds as
          | Record<string, string | Record<string, string> | undefined>
          | undefined;
        await deps.merge.merge(
          domain,
          input.MainProfileId,
          input.ProfileIdsToBeMerged,
          sources,
          ctx.caller.accessKeyId,
        );
        return {
          Message: `Merged ${input.ProfileIdsToBeMerged.length} profiles into ${input.MainProfileId}`,
        };
      },
    },
  ];
}
