import { toEpochSeconds } from "../../core/clock.ts";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { listPage, objectTypeNameSchema, profileIdSchema, requireDomain } from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

const last = (v: string | string[] | undefined) => (v === undefined ? undefined : [v].flat().at(-1));

/**
 * ListDomainObjects — an extension (AWS lists objects only per profile and object type, with
 * ListProfileObjects): `GET /domains/{DomainName}/objects?object-type-name=&profile-id=&next-token=&max-results=`
 * → `{Items:[{ObjectTypeName, ProfileObjectUniqueKey, ProfileId, Fields, UpdatedAt}], NextToken}`,
 * newest first. `Fields` are the profile fields the object feeds (where each field of a profile came from);
 * the record itself comes from ListProfileObjects with the ProfileId.
 */
export function domainObjectOperations(deps: ProfileOperationsDeps): Operation[] {
  return [
    {
      name: "ListDomainObjects",
      method: "GET",
      path: "/domains/:DomainName/objects",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const page = listPage(ctx.query);
        const rawType = last(ctx.query["object-type-name"]);
        const rawProfile = last(ctx.query["profile-id"]);
        const objectTypeName =
          rawType === undefined ? undefined : parseInput(objectTypeNameSchema, rawType, "ObjectTypeName");
        const profileId =
          rawProfile === undefined ? undefined : parseInput(profileIdSchema, rawProfile, "ProfileId");
        const out = await deps.profiles.listDomainObjects(domain, { objectTypeName, profileId }, page);
        return {
          Items: out.items.map((o) => ({
            ObjectTypeName: o.objectTypeName,
            ProfileObjectUniqueKey: o.profileObjectUniqueKey,
            ProfileId: o.profileId,
            Fields: o.fields,
            UpdatedAt: toEpochSeconds(o.updatedAt),
          })),
          NextToken: out.nextToken,
        };
      },
    },
  ];
}
