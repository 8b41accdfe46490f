import { z } from "zod";
import { invalid } from "../../core/errors.ts";
import { wellFormedText } from "../../ingest/index.ts";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import {
  keyNameSchema,
  listPage,
  objectTypeNameSchema,
  profileIdSchema,
  requireDomain,
  requireDomainRechecked,
  valuesSchema,
} from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

/** PutProfileObject's `Object`: 1–256,000 characters of JSON text holding one JSON object. */
const MAX_OBJECT_CHARS = 256_000;
const putSchema = z.object({
  ObjectTypeName: objectTypeNameSchema,
  Object: z.string().min(1).max(MAX_OBJECT_CHARS),
});
const listSchema = z.object({
  ObjectTypeName: objectTypeNameSchema,
  ProfileId: profileIdSchema,
  ObjectFilter: z.object({ KeyName: keyNameSchema, Values: valuesSchema }).optional(),
});
const deleteSchema = z.object({
  ProfileId: profileIdSchema,
  ProfileObjectUniqueKey: z.string().min(1).max(255),
  ObjectTypeName: objectTypeNameSchema,
});

/** PutProfileObject, ListProfileObjects, DeleteProfileObject. */
export function profileObjectOperations(deps: ProfileOperationsDeps): Operation[] {
  const { domains, profiles } = deps;
  return [
    {
      name: "PutProfileObject",
      method: "PUT",
      path: "/domains/:DomainName/profiles/objects",
      handler: async (ctx) => {
        // ProfileService.putObject reads the domain again before ingesting.
        const domain = await requireDomainRechecked(domains, ctx.params);
        const input = parseInput(putSchema, ctx.body);
        let parsed: unknown;
        try {
          parsed = JSON.parse(input.Object);
        } catch (e) {
          throw invalid("Object", `1 validation error detected: Object is not JSON: ${(e as Error).message}`);
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
          throw invalid("Object", "1 validation error detected: Object must be a JSON object");
        }
        // The text is kept as sent (lone surrogates as U+FFFD, so both databases give back the same text);
        // the parsed value is what gets mapped.
        const text = wellFormedText(input.Object);
        const summary = await profiles.putObject(domain, input.ObjectTypeName, text, ctx.caller.accessKeyId);
        return { ProfileObjectUniqueKey: summary.results[0]!.profileObjectUniqueKey };
      },
    },
    {
      name: "ListProfileObjects",
      method: "POST",
      path: "/domains/:DomainName/profiles/objects",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const page = listPage(ctx.query);
        const input = parseInput(listSchema, ctx.body);
        const filter = input.ObjectFilter && {
          keyName: input.ObjectFilter.KeyName,
          values: input.ObjectFilter.Values,
        };
        const out = await profiles.listObjects(domain, input.ProfileId, input.ObjectTypeName, filter, page);
        return { Items: out.items, NextToken: out.nextToken };
      },
    },
    {
      name: "DeleteProfileObject",
      method: "POST",
      path: "/domains/:DomainName/profiles/objects/delete",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const input = parseInput(deleteSchema, ctx.body);
        await profiles.deleteObject(
          domain,
          input.ProfileId,
          input.ObjectTypeName,
          input.ProfileObjectUniqueKey,
          ctx.caller.accessKeyId,
        );
        return { Message: `Object ${input.ProfileObjectUniqueKey} deleted` };
      },
    },
  ];
}
