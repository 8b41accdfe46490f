import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { ConnectorProfileStore } from "../../flows/connector-profile-store.ts";
import type { FlowStore } from "../../flows/flow-store.ts";
import type { Integration, IntegrationStore } from "../../flows/integration-store.ts";
import type { DomainStore } from "../../profiles/domain-store.ts";
import type { ObjectTypeSource } from "../../profiles/object-type-store.ts";
import type { FlowRunner } from "../appflow/flow-runner.ts";
import { checkFlow } from "../appflow/flows.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import type { TagStore } from "../tags/tag-store.ts";
import { parseInput } from "../validate.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { flowDefinitionInput, toFlowDefinition } from "./flow-definition-wire.ts";
import { nextToken, pageRequest } from "./pagination.ts";

export interface IntegrationOperationsDeps {
  domains: DomainStore;
  objectTypes: ObjectTypeSource;
  integrations: IntegrationStore;
  flows: FlowStore;
  connectorProfiles: ConnectorProfileStore;
  runner: FlowRunner;
  tags: TagStore;
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

/** The wire shape of an integration (PutIntegration / GetIntegration / ListIntegrations items). */
async function integrationResponse(i: Integration, tagStore: TagStore) {
  return {
    DomainName: i.domainName,
    Uri: i.uri,
    ObjectTypeName: i.objectTypeName,
    CreatedAt: i.createdAt / 1000,
    LastUpdatedAt: i.updatedAt / 1000,
    Tags: await tagStore.list(i.uri),
    ...(i.workflowId ? { WorkflowId: i.workflowId } : {}),
    ...(i.roleArn ? { RoleArn: i.roleArn } : {}),
    IsUnstructured: false,
  };
}

/** PutIntegration (creating the flow from a FlowDefinition), GetIntegration, ListIntegrations, DeleteIntegration. */
export function integrationOperations(deps: IntegrationOperationsDeps): ServiceDefinition {
  const { domains, integrations, flows, runner, tags } = deps;
  const domainOf = async (params: Record<string, string>) => {
    const name = parseInput(domainNameSchema, params["DomainName"], "DomainName");
    await domains.require(name);
    return name;
  };
  const ops: Operation[] = [
    {
      name: "PutIntegration",
      method: "PUT",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const input = parseInput(putInput, ctx.body);
        if (!input.ObjectTypeName) {
          throw new ProfileflowError(
            "VALIDATION_FAILED",
            "ObjectTypeName is required for AppFlow integrations.",
            { member: "ObjectTypeName" },
          );
        }
        if (!(await deps.objectTypes.get(domainName, input.ObjectTypeName))) {
          throw new ProfileflowError(
            "RESOURCE_NOT_FOUND",
            `Object type ${input.ObjectTypeName} does not exist in domain ${domainName}.`,
          );
        }
        let integrationUri = input.Uri;
        let flowName: string | undefined;
        if (input.FlowDefinition) {
          const def = toFlowDefinition(input.FlowDefinition, domainName, input.ObjectTypeName);
          if (await flows.get(def.flowName)) {
            throw new ProfileflowError(
              "VALIDATION_FAILED",
              `Flow with name ${def.flowName} already exists.`,
              { member: "FlowDefinition.FlowName" },
            );
          }
          await checkFlow(def, {
            connectorProfiles: deps.connectorProfiles,
            domainExists: async (d) => (await domains.get(d)) !== undefined,
          });
          const flowArn = flows.arnOf(def.flowName);
          if (integrationUri && integrationUri !== flowArn) {
            throw new ProfileflowError(
              "VALIDATION_FAILED",
              `Uri must be the flow ARN ${flowArn} when a FlowDefinition is given.`,
              { member: "Uri" },
            );
          }
          integrationUri = flowArn;
          flowName = def.flowName;
          const flow = await flows.create(def, { status: "Active" });
          if (def.triggerConfig.triggerType === "Scheduled") await runner.activate(flow);
          else await runner.startOnDemand(flow);
        } else if (!integrationUri) {
          throw new ProfileflowError("VALIDATION_FAILED", "Uri or FlowDefinition is required.", {
            member: "Uri",
          });
        } else {
          const existing = await integrations.get(domainName, integrationUri);
          const flowMatch = /^arn:aws:appflow:[^:]*:\d+:flow\/(.+)$/.exec(integrationUri);
          if (!existing && !(flowMatch && (await flows.get(flowMatch[1]!)))) {
            throw new ProfileflowError("RESOURCE_NOT_FOUND", `No flow exists for Uri ${integrationUri}.`);
          }
          flowName = existing?.flowName ?? flowMatch?.[1];
        }
        const saved = await integrations.put({
          domainName,
          uri: integrationUri,
          objectTypeName: input.ObjectTypeName,
          flowName,
          roleArn: input.RoleArn,
          workflowId: undefined,
          hidden: false,
        });
        if (input.Tags) await tags.tag(saved.uri, input.Tags);
        return integrationResponse(saved, tags);
      },
    },
    {
      name: "GetIntegration",
      method: "POST",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const input = parseInput(z.object({ Uri: uri }).strict(), ctx.body);
        return integrationResponse(await integrations.require(domainName, input.Uri), tags);
      },
    },
    {
      name: "ListIntegrations",
      method: "GET",
      path: "/domains/:DomainName/integrations",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const page = pageRequest(ctx.query, "ListIntegrations");
        const includeHidden = ctx.query["include-hidden"] === "true";
        const rows = await integrations.list({
          domainName,
          includeHidden,
          after: page.after,
          limit: page.limit + 1,
        });
        const items = rows.slice(0, page.limit);
        const token = nextToken(
          "ListIntegrations",
          items.map((i) => ({ key: i.uri })),
          rows.length > page.limit,
        );
        return {
          Items: await Promise.all(items.map((i) => integrationResponse(i, tags))),
          ...(token ? { NextToken: token } : {}),
        };
      },
    },
    {
      name: "ListAccountIntegrations",
      method: "POST",
      path: "/integrations",
      handler: async (ctx) => {
        const input = parseInput(z.object({ Uri: uri }).strict(), ctx.body);
        const page = pageRequest(ctx.query, "ListAccountIntegrations");
        const includeHidden = ctx.query["include-hidden"] === "true";
        const rows = await integrations.list({
          uri: input.Uri,
          includeHidden,
          after: page.after,
          limit: page.limit + 1,
        });
        const items = rows.slice(0, page.limit);
        const token = nextToken(
          "ListAccountIntegrations",
          items.map((i) => ({ key: i.uri })),
          rows.length > page.limit,
        );
        return {
          Items: await Promise.all(items.map((i) => integrationResponse(i, tags))),
          ...(token ? { NextToken: token } : {}),
        };
      },
    },
    {
      name: "DeleteIntegration",
      method: "POST",
      path: "/domains/:DomainName/integrations/delete",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const input = parseInput(z.object({ Uri: uri }).strict(), ctx.body);
        const integration = await integrations.require(domainName, input.Uri);
        // As in AWS, the flow goes with the integration; objects already ingested stay.
        if (integration.flowName) {
          const flow = await flows.get(integration.flowName);
          if (flow) {
            if (await runner.isRunning(integration.flowName)) await runner.cancel(flow, []);
            await runner.forget(integration.flowName);
            await tags.clear(flow.flowArn);
            await flows.delete(integration.flowName);
          }
        }
        await tags.clear(integration.uri);
        await integrations.delete(domainName, input.Uri);
        return { Message: `Integration ${input.Uri} deleted from domain ${domainName}.` };
      },
    },
  ];
  return { service: "profile", operations: ops };
}
