import { z } from "zod";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import type { ProfileServices } from "../../profiles/profile-services.ts";
import type { ProfileService } from "../../services/profile-service.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { deadLetterOperations } from "./dead-letters.ts";
import { domainObjectOperations } from "./domain-objects.ts";
import { historyOperations } from "./history.ts";
import { mergeOperations } from "./merge.ts";
import { profileKeyOperations } from "./profile-keys.ts";
import { profileObjectOperations } from "./profile-objects.ts";
import {
  createProfileSchema,
  keyNameSchema,
  listPage,
  profileIdSchema,
  requireDomain,
  requireDomainRechecked,
  updateProfileSchema,
  valuesSchema,
} from "./profile-schema.ts";

export interface ProfileOperationsDeps extends Pick<ProfileServices, "merge" | "mergeRecords"> {
  domains: DomainLookup;
  /** Profiles, keys, objects, history, dead letters and search: one transaction per operation. */
  profiles: ProfileService;
}

const searchSchema = z.object({
  KeyName: keyNameSchema,
  Values: valuesSchema,
  AdditionalSearchKeys: z
    .array(z.object({ KeyName: keyNameSchema, Values: valuesSchema }))
    .min(1)
    .max(4)
    .optional(),
  LogicalOperator: z.enum(["AND", "OR"]).optional(),
});
const batchGetSchema = z.object({ ProfileIds: z.array(profileIdSchema).min(1).max(20) });
const profileIdBody = z.object({ ProfileId: profileIdSchema });

/** Every profile operation of Customer Profiles, plus the dead-letter extension. */
export function profileOperations(deps: ProfileOperationsDeps): ServiceDefinition {
  return {
    service: "profile",
    operations: [
      ...profileCrudOperations(deps),
      ...profileObjectOperations(deps),
      ...profileKeyOperations(deps),
      ...mergeOperations(deps),
      ...historyOperations(deps),
      ...deadLetterOperations(deps),
      ...domainObjectOperations(deps),
    ],
  };
}

/** CreateProfile, UpdateProfile, DeleteProfile, SearchProfiles, BatchGetProfile. */
function profileCrudOperations(deps: ProfileOperationsDeps): Operation[] {
  const { domains, profiles } = deps;
  return [
    {
      name: "CreateProfile",
      method: "POST",
      path: "/domains/:DomainName/profiles",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const input = parseInput(createProfileSchema, ctx.body);
        return { ProfileId: await profiles.createProfile(domain, input, ctx.caller.accessKeyId) };
      },
    },
    {
      name: "UpdateProfile",
      method: "PUT",
      path: "/domains/:DomainName/profiles",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const { ProfileId, ...fields } = parseInput(updateProfileSchema, ctx.body);
        await profiles.updateProfile(domain, ProfileId, fields, ctx.caller.accessKeyId);
        return { ProfileId };
      },
    },
    {
      name: "DeleteProfile",
      method: "POST",
      path: "/domains/:DomainName/profiles/delete",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const { ProfileId } = parseInput(profileIdBody, ctx.body);
        await profiles.deleteProfile(domain, ProfileId, ctx.caller.accessKeyId);
        return { Message: `Profile ${ProfileId} deleted` };
      },
    },
    {
      name: "SearchProfiles",
      method: "POST",
      path: "/domains/:DomainName/profiles/search",
      handler: async (ctx) => {
        // ProfileService.search reads the domain again in its transaction.
        const domain = await requireDomainRechecked(domains, ctx.params);
        const page = listPage(ctx.query, 20);
        const input = parseInput(searchSchema, ctx.body);
        const keys = [
          { keyName: input.KeyName, values: input.Values },
          ...(input.AdditionalSearchKeys ?? []).map((k) => ({ keyName: k.KeyName, values: k.Values })),
        ];
        const found = await profiles.search(domain, keys, input.LogicalOperator ?? "OR", page);
        return { Items: found.items, NextToken: found.nextToken };
      },
    },
    {
      name: "BatchGetProfile",
      method: "POST",
      path: "/domains/:DomainName/batch-get-profiles",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const { ProfileIds } = parseInput(batchGetSchema, ctx.body);
        const found = await profiles.getProfiles(domain, ProfileIds);
        const ids = [...new Set(ProfileIds)];
        return {
          Profiles: ids.flatMap((id) => found.get(id) ?? []),
          Errors: ids
            .filter((id) => !found.has(id))
            .map((id) => ({
              Code: "ResourceNotFoundException",
              Message: `Profile ${id} does not exist`,
              ProfileId: id,
            })),
        };
      },
    },
  ];
}
