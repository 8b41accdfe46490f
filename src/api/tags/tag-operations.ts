import { z } from "zod";
import type { TagService } from "../../services/tag-service.ts";
import type { Operation, ServiceDefinition, ServiceName } from "../operation.ts";
import { parseInput } from "../validate.ts";

const arnPatterns: Record<"profile" | "appflow", RegExp> = {
  profile: /^arn:[a-z0-9-]{1,10}:profile/,
  appflow: /^arn:aws:appflow:.*:[0-9]+:.*/,
};
const tagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^(?!aws:)[a-zA-Z+-=._:/]+$/, "must match ^(?!aws:)[a-zA-Z+-=._:/]+$");
const tags = z
  .record(tagKey, z.string().max(256))
  .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 50, {
    message: "must hold 1 to 50 tags",
  });

/** TagResource, UntagResource and ListTagsForResource for one service (same paths in both). */
export function tagOperations(service: "profile" | "appflow", tagService: TagService): ServiceDefinition {
  const arnOf = (raw: string | undefined): string =>
    parseInput(
      z.string().min(1).max(1011).regex(arnPatterns[service], "is not a valid ARN for this service"),
      raw,
      "resourceArn",
    );
  const operations: Operation[] = [
    {
      name: "TagResource",
      method: "POST",
      path: "/tags/:resourceArn",
      handler: async (ctx) => {
        const arn = arnOf(ctx.params["resourceArn"]);
        const input = parseInput(z.object({ tags }).strict(), ctx.body);
        await tagService.tagResource(arn, input.tags);
        return {};
      },
    },
    {
      name: "UntagResource",
      method: "DELETE",
      path: "/tags/:resourceArn",
      handler: async (ctx) => {
        const arn = arnOf(ctx.params["resourceArn"]);
        const raw = ctx.query["tagKeys"];
        const keys = parseInput(
          z.array(tagKey).min(1).max(50),
          raw === undefined ? [] : ([] as string[]).concat(raw),
          "tagKeys",
        );
        await tagService.untagResource(arn, keys);
        return {};
      },
    },
    {
      name: "ListTagsForResource",
      method: "GET",
      path: "/tags/:resourceArn",
      handler: async (ctx) => ({ tags: await tagService.listForResource(arnOf(ctx.params["resourceArn"])) }),
    },
  ];
  return { service: service as ServiceName, operations };
}
