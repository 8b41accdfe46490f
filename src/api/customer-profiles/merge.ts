import { z } from "zod";
import { toEpochSeconds } from "../../core/clock.ts";
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

const unmergeSchema = z.object({
  MergeId: z.string().regex(/^[0-9a-f]{32}$/, "is not a MergeId (32 hex digits)"),
});
const explainSchema = z.object({ ProfileId: profileIdSchema });

/**
 * MergeProfiles, and two extensions (not in AWS; same wire style, docs/api.md): UnmergeProfiles undoes
 * a recorded merge, ExplainProfile answers why a profile holds its objects.
 */
export function mergeOperations(deps: ProfileOperationsDeps): Operation[] {
  return [
    {
      name: "UnmergeProfiles",
      method: "POST",
      path: "/domains/:DomainName/profiles/unmerge",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const input = parseInput(unmergeSchema, ctx.body);
        const out = await deps.mergeRecords.unmerge(domain, input.MergeId, ctx.caller.accessKeyId);
        return {
          MainProfileId: out.mainProfileId,
          RestoredProfileIds: out.restoredProfileIds,
          Message: `Merge ${input.MergeId} undone: ${out.restoredProfileIds.length} profiles restored`,
        };
      },
    },
    {
      name: "ExplainProfile",
      method: "POST",
      path: "/domains/:DomainName/profiles/explain",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const input = parseInput(explainSchema, ctx.body);
        const out = await deps.mergeRecords.explain(domain, input.ProfileId);
        return {
          ProfileId: input.ProfileId,
          Objects: out.objects.map((o) => ({
            ObjectTypeName: o.objectTypeName,
            ProfileObjectUniqueKey: o.profileObjectUniqueKey,
            OriginalProfileId: o.originalProfileId,
            ...(o.matchedBy ? { MatchedBy: { KeyName: o.matchedBy.keyName, Value: o.matchedBy.value } } : {}),
          })),
          Merges: out.merges.map((m) => ({
            MergeId: m.mergeId,
            MainProfileId: m.mainProfileId,
            MergedProfileIds: m.mergedProfileIds,
            Cause: m.cause,
            PerformedBy: m.performedBy,
            CreatedAt: toEpochSeconds(m.createdAt),
          })),
        };
      },
    },
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
