import { toEpochSeconds } from "../../core/clock.ts";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { listPage, objectTypeNameSchema, requireDomain } from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

/**
 * ListDeadLetters — an extension (AWS has no such operation; its dead letters go to an SQS queue):
 * `GET /domains/{DomainName}/dead-letters?object-type-name=&next-token=&max-results=` →
 * `{Items:[{Id, ObjectTypeName, ProfileObjectUniqueKey, Object, ReasonCode, Message, CreatedAt}], NextToken}`.
 */
export function deadLetterOperations(deps: ProfileOperationsDeps): Operation[] {
  return [
    {
      name: "ListDeadLetters",
      method: "GET",
      path: "/domains/:DomainName/dead-letters",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const page = listPage(ctx.query);
        const rawType = ctx.query["object-type-name"];
        const objectTypeName =
          rawType === undefined
            ? undefined
            : parseInput(objectTypeNameSchema, [rawType].flat().at(-1), "ObjectTypeName");
        const out = await deps.profiles.listDeadLetters(domain, { objectTypeName }, page);
        return {
          Items: out.items.map((d) => ({
            Id: d.id,
            ObjectTypeName: d.objectTypeName,
            ProfileObjectUniqueKey: d.profileObjectUniqueKey,
            Object: d.object,
            ReasonCode: d.reasonCode,
            Message: d.message,
            CreatedAt: toEpochSeconds(d.createdAt),
          })),
          NextToken: out.nextToken,
        };
      },
    },
  ];
}
