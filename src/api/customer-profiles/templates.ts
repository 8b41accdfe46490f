import { invalid, notFound } from "../../core/errors.ts";
import { getTemplate, listTemplates, nameSchema } from "../../ingest/index.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { nextToken, pageRequest } from "./pagination.ts";

/** ListProfileObjectTypeTemplates and GetProfileObjectTypeTemplate over the nine built-in templates. */
export function templateOperations(): ServiceDefinition {
  const operations: Operation[] = [
    {
      name: "ListProfileObjectTypeTemplates",
      method: "GET",
      path: "/templates",
      handler: async (ctx) => {
        const page = pageRequest(ctx.query, "ListProfileObjectTypeTemplates");
        const all = listTemplates();
        let start = 0;
        if (page.after !== undefined) {
          start = all.findIndex((t) => t.TemplateId === page.after) + 1;
          if (start === 0) throw invalid("NextToken", "1 validation error detected: NextToken is stale");
        }
        const items = all.slice(start, start + page.limit);
        return {
          Items: items.map((t) => ({
            TemplateId: t.TemplateId,
            SourceName: t.SourceName,
            SourceObject: t.SourceObject,
          })),
          NextToken: nextToken(
            "ListProfileObjectTypeTemplates",
            items.map((t) => ({ key: t.TemplateId })),
            start + items.length < all.length,
          ),
        };
      },
    },
    {
      name: "GetProfileObjectTypeTemplate",
      method: "GET",
      path: "/templates/:TemplateId",
      handler: async (ctx) => {
        const id = parseInput(nameSchema, ctx.params["TemplateId"], "TemplateId");
        const template = getTemplate(id);
        if (!template) throw notFound(`Template ${id} does not exist`, { member: "TemplateId" });
        return template;
      },
    },
  ];
  return { service: "profile", operations };
}
