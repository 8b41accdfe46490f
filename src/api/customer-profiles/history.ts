import { z } from "zod";
import { toEpochSeconds } from "../../core/clock.ts";
import type { HistoryRecord } from "../../profiles/profile-history.ts";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { listPage, objectTypeNameSchema, profileIdSchema, requireDomain } from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

const ACTION_TYPES = [
  "ADDED_PROFILE_KEY",
  "CREATED",
  "DELETED_BY_CUSTOMER",
  "DELETED_BY_MERGE",
  "DELETED_PROFILE_KEY",
  "EXPIRED",
  "INGESTED",
  "MERGED",
  "UPDATED",
] as const;
const listSchema = z.object({
  ProfileId: profileIdSchema,
  ObjectTypeName: objectTypeNameSchema.optional(),
  ActionType: z.enum(ACTION_TYPES).optional(),
  PerformedBy: z.string().min(1).max(255).optional(),
});

function summary(r: HistoryRecord) {
  return {
    Id: r.id,
    ObjectTypeName: r.objectTypeName,
    CreatedAt: toEpochSeconds(r.createdAt),
    LastUpdatedAt: toEpochSeconds(r.createdAt),
    ActionType: r.actionType,
    ProfileObjectUniqueKey: r.profileObjectUniqueKey,
    PerformedBy: r.performedBy,
  };
}

/** ListProfileHistoryRecords and GetProfileHistoryRecord. */
export function historyOperations(deps: ProfileOperationsDeps): Operation[] {
  const { domains, profiles } = deps;
  return [
    {
      name: "ListProfileHistoryRecords",
      method: "POST",
      path: "/domains/:DomainName/profiles/history-records",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const page = listPage(ctx.query);
        const input = parseInput(listSchema, ctx.body);
        const filter = {
          objectTypeName: input.ObjectTypeName,
          actionType: input.ActionType,
          performedBy: input.PerformedBy,
        };
        const out = await profiles.listHistory(domain, input.ProfileId, filter, page);
        return { ProfileHistoryRecords: out.items.map(summary), NextToken: out.nextToken };
      },
    },
    {
      name: "GetProfileHistoryRecord",
      method: "GET",
      path: "/domains/:DomainName/profiles/:ProfileId/history-records/:Id",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const profileId = parseInput(profileIdSchema, ctx.params["ProfileId"], "ProfileId");
        const id = parseInput(z.string().min(1).max(255), ctx.params["Id"], "Id");
        const r = await profiles.getHistory(domain, profileId, id);
        return { ...summary(r), Content: JSON.stringify(r.content) };
      },
    },
  ];
}
