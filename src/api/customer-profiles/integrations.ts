import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { IntegrationService, IntegrationView } from "../../services/integration-service.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { flowDefinitionInput, toFlowDefinition } from "./flow-definition-wire.ts";
import { nextToken, pageRequest } from "./pagination.ts";

export interface IntegrationOperationsDeps {
  integrations: IntegrationService;
}

const uri = z.string().min(1).max(255);
const objectTypeName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z_][a-zA-Z_0-9-]*$/);
const tags = z.record(z.string().min(1).max(128), z.string().max(256));
const putInput = z
  .object({
    Uri: uri.optional(),
    ObjectTypeName: objectTypeName.optional(),
    ObjectTypeNames: z.record(z.string(), objectTypeName).optional(),
    FlowDefinition: flowDefinitionInput.optional(),
    RoleArn: z
      .string()
      .max(512)
      .regex(/^arn:aws:iam:.*:[0-9]+:.*/, "must be an IAM role ARN")
      .optional(),
    EventTriggerNames: z.array(z.string()).optional(),
    Scope: z.enum(["PROFILE", "DOMAIN"]).optional(),
    Tags: tags.optional(),
  })
  .strict();

const uriInput = z.object({ Uri: uri }).strict();

/** The wire shape of an integration (PutIntegration / GetIntegration / ListIntegrations items). */
function integrationResponse({ integration: i, tags: t }: IntegrationView) {
  return {
    DomainName: i.domainName,
    Uri: i.uri,
    ObjectTypeName: i.objectTypeName,
    CreatedAt: i.createdAt / 1000,
    LastUpdatedAt: i.updatedAt / 1000,
    Tags: t,
    ...(i.workflowId ? { WorkflowId: i.workflowId } : {}),
    ...(i.roleArn ? { RoleArn: i.roleArn } : {}),
    IsUnstructured: false,
  };
}

const domainOf = (ctx: OperationContext) =>
  parseInput(domainNameSchema, ctx.params["DomainName"], "DomainName");

/** A page of integrations as Items + NextToken; `list` names the token's list. */
async function listPage(
  ctx: OperationContext,
  list: string,
  fetch: (page: {
    includeHidden: boolean;
    after: string | undefined;
    limit: number;
  }) => Promise<IntegrationView[]>,
) {
  const page = pageRequest(ctx.query, list);
  const rows = await fetch({
    includeHidden: ctx.query["include-hidden"] === "true",
    after: page.after,
    limit: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  const token = nextToken(
    list,
    items.map((v) => ({ key: v.integration.uri })),
    rows.length > page.limit,
  );
  return { Items: items.map(integrationResponse), ...(token ? { NextToken: token } : {}) };
}

/** PutIntegration (creating the flow from a FlowDefinition), GetIntegration, ListIntegrations, DeleteIntegration. */
export function integrationOperations({ integrations }: IntegrationOperationsDeps): ServiceDefinition {
  const ops: Operation[] = [
    {
      name: "PutIntegration",
      method: "PUT",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = domainOf(ctx);
        await integrations.requireDomain(domainName);
        const input = parseInput(putInput, ctx.body);
        const objectTypeName = input.ObjectTypeName;
        if (!objectTypeName) {
          throw new ProfileflowError(
            "VALIDATION_FAILED",
            "ObjectTypeName is required for AppFlow integrations.",
            { member: "ObjectTypeName" },
          );
        }
        const view = await integrations.put(domainName, {
          objectTypeName,
          uri: input.Uri,
          flowDefinition:
            input.FlowDefinition && toFlowDefinition(input.FlowDefinition, domainName, objectTypeName),
          roleArn: input.RoleArn,
          tags: input.Tags,
        });
        return integrationResponse(view);
      },
    },
    {
      name: "GetIntegration",
      method: "POST",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = domainOf(ctx);
        const input = parseInput(uriInput, ctx.body);
        return integrationResponse(await integrations.get(domainName, input.Uri));
      },
    },
    {
      name: "ListIntegrations",
      method: "GET",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = domainOf(ctx);
        await integrations.requireDomain(domainName);
        return listPage(ctx, "ListIntegrations", (page) => integrations.list(domainName, page));
      },
    },
    {
      name: "ListAccountIntegrations",
      method: "POST",
      path: "/integrations",
      handler: async (ctx) => {
        const input = parseInput(uriInput, ctx.body);
        return listPage(ctx, "ListAccountIntegrations", (page) => integrations.listForUri(input.Uri, page));
      },
    },
    {
      name: "DeleteIntegration",
      method: "POST",
      path: "/domains/:DomainName/integrations/delete",
      handler: async (ctx) => {
        const domainName = domainOf(ctx);
        const input = parseInput(uriInput, ctx.body);
        await integrations.delete(domainName, input.Uri);
        return { Message: `Integration ${input.Uri} deleted from domain ${domainName}.` };
      },
    },
  ];
  return { service: "profile", operations: ops };
}
