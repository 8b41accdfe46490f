import { z } from "zod";
import type { Operation } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { keyNameSchema, profileIdSchema, requireDomain, valuesSchema } from "./profile-schema.ts";
import type { ProfileOperationsDeps } from "./profiles.ts";

const keySchema = z.object({ ProfileId: profileIdSchema, KeyName: keyNameSchema, Values: valuesSchema });

/** AddProfileKey and DeleteProfileKey. */
export function profileKeyOperations(deps: ProfileOperationsDeps): Operation[] {
  const { domains, profiles } = deps;
  return [
    {
      name: "AddProfileKey",
      method: "POST",
      path: "/domains/:DomainName/profiles/keys",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const input = parseInput(keySchema, ctx.body);
        const values = await profiles.addKey(
          domain,
          input.ProfileId,
          input.KeyName,
          input.Values,
          ctx.caller.accessKeyId,
        );
        return { KeyName: input.KeyName, Values: values };
      },
    },
    {
      name: "DeleteProfileKey",
      method: "POST",
      path: "/domains/:DomainName/profiles/keys/delete",
      handler: async (ctx) => {
        const domain = await requireDomain(domains, ctx.params);
        const input = parseInput(keySchema, ctx.body);
        await profiles.deleteKey(
          domain,
          input.ProfileId,
          input.KeyName,
          input.Values,
          ctx.caller.accessKeyId,
        );
        return { Message: `Key ${input.KeyName} removed from profile ${input.ProfileId}` };
      },
    },
  ];
}
