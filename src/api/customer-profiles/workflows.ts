import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { ConnectorProfileStore } from "../../flows/connector-profile-store.ts";
import { checkBatches, iso, planBatches, type Window } from "../../flows/workflows/planner.ts";
import type { WorkflowRunner } from "../../flows/workflows/workflow-runner.ts";
import type { Workflow } from "../../flows/workflows/workflow-store.ts";
import { stepViews, workflowMetrics } from "../../flows/workflows/workflow-views.ts";
import type { DomainStore } from "../../profiles/domain-store.ts";
import type { ObjectTypeSource } from "../../profiles/object-type-store.ts";
import { checkFlow } from "../appflow/flows.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { flowDefinitionInput, toFlowDefinition } from "./flow-definition-wire.ts";
import { encodePageToken, pageRequest } from "./pagination.ts";

export interface WorkflowOperationsDeps {
  domains: DomainStore;
  objectTypes: ObjectTypeSource;
  connectorProfiles: ConnectorProfileStore;
  workflows: WorkflowRunner;
  clock: Clock;
}

const statusEnum = z.enum([
  "NOT_STARTED",
  "IN_PROGRESS",
  "COMPLETE",
  "FAILED",
  "SPLIT",
  "RETRY",
  "CANCELLED",
]);
const createInput = z
  .object({
    WorkflowType: z.literal("APPFLOW_INTEGRATION", { message: "must be APPFLOW_INTEGRATION" }),
    IntegrationConfig: z
      .object({
        AppflowIntegration: z
          .object({
            FlowDefinition: flowDefinitionInput,
            Batches: z.array(z.object({ StartTime: z.number(), EndTime: z.number() }).strict()).optional(),
          })
          .strict(),
      })
      .strict(),
    ObjectTypeName: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[a-zA-Z_][a-zA-Z_0-9-]*$/),
    RoleArn: z
      .string()
      .max(512)
      .regex(/^arn:aws:iam:.*:[0-9]+:.*/, "must be an IAM role ARN"),
    Tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  })
  .strict();
const listInput = z
  .object({
    WorkflowType: z.literal("APPFLOW_INTEGRATION").optional(),
    Status: statusEnum.optional(),
    QueryStartDate: z.number().optional(),
    QueryEndDate: z.number().optional(),
  })
  .strict();

const sec = (ms: number) => ms / 1000;

/** The workflow operations of §2.4, plus the extension that re-runs failed steps' windows. */
export function workflowOperations(deps: WorkflowOperationsDeps): ServiceDefinition {
  const { domains, workflows } = deps;
  const domainOf = async (params: Record<string, string>) => {
    const name = parseInput(domainNameSchema, params["DomainName"], "DomainName");
    await domains.require(name);
    return name;
  };
  const workflowOf = async (params: Record<string, string>) =>
    workflows.store.require(await domainOf(params), params["WorkflowId"] ?? "");
  const ops: Operation[] = [
    {
      name: "CreateIntegrationWorkflow",
      method: "POST",
      path: "/domains/:DomainName/workflows/integrations",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const input = parseInput(createInput, ctx.body);
        const wire = input.IntegrationConfig.AppflowIntegration;
        const source = wire.FlowDefinition.SourceFlowConfig.ConnectorType;
        if (source === "Zendesk") {
          // As in AWS: Zendesk's history comes through one incremental flow from its start date.
          throw bad(
            "Zendesk is not a supported workflow source; use PutIntegration with a FlowDefinition whose FirstExecutionFrom is the start date.",
            "IntegrationConfig.AppflowIntegration.FlowDefinition.SourceFlowConfig.ConnectorType",
          );
        }
        if (!(await deps.objectTypes.get(domainName, input.ObjectTypeName))) {
          throw new ProfileflowError(
            "RESOURCE_NOT_FOUND",
            `Object type ${input.ObjectTypeName} does not exist in domain ${domainName}.`,
          );
        }
        const def = toFlowDefinition(wire.FlowDefinition, domainName, input.ObjectTypeName);
        const sched = def.triggerConfig.triggerProperties?.Scheduled;
        if (def.triggerConfig.triggerType !== "Scheduled" || !sched) {
          throw bad(
            "The FlowDefinition must be Scheduled: it becomes the continuous integration once the history is in.",
            "IntegrationConfig.AppflowIntegration.FlowDefinition.TriggerConfig",
          );
        }
        await checkFlow(def, {
          connectorProfiles: deps.connectorProfiles,
          domainExists: async (d) => (await domains.get(d)) !== undefined,
        });
        let batches: Window[];
        if (wire.Batches) {
          batches = checkBatches(
            wire.Batches.map((b) => ({
              from: Math.round(b.StartTime * 1000),
              to: Math.round(b.EndTime * 1000),
            })),
          );
        } else if (sched.firstExecutionFrom !== undefined) {
          batches = planBatches(sched.firstExecutionFrom, deps.clock.now());
        } else {
          throw bad(
            "Give Batches, or FirstExecutionFrom in the FlowDefinition's Scheduled trigger to plan 2-month batches from.",
            "IntegrationConfig.AppflowIntegration.Batches",
          );
        }
        const wf = await workflows.create({
          domainName,
          objectTypeName: input.ObjectTypeName,
          roleArn: input.RoleArn,
          flowDefinition: def,
          batches,
          tags: input.Tags,
        });
        return {
          WorkflowId: wf.workflowId,
          Message: `Workflow creation request received: ${batches.length} batches from ${iso(batches[0]!.from)} to ${iso(wf.historyEnd)}.`,
        };
      },
    },
    {
      name: "GetWorkflow",
      method: "GET",
      path: "/domains/:DomainName/workflows/:WorkflowId",
      handler: async (ctx) => {
        const wf = await workflowOf(ctx.params);
        const m = await workflowMetrics(workflows.store, wf);
        return {
          WorkflowId: wf.workflowId,
          WorkflowType: wf.workflowType,
          Status: wf.status,
          ...(wf.errorDescription ? { ErrorDescription: wf.errorDescription } : {}),
          StartDate: sec(wf.createdAt),
          LastUpdatedAt: sec(wf.lastUpdatedAt),
          Attributes: {
            AppflowIntegration: {
              SourceConnectorType: wf.connectorType,
              ConnectorProfileName: wf.connectorProfileName,
              RoleArn: wf.roleArn,
            },
          },
          Metrics: {
            AppflowIntegration: {
              RecordsProcessed: m.recordsProcessed,
              StepsCompleted: m.stepsCompleted,
              TotalSteps: m.totalSteps,
            },
          },
        };
      },
    },
    {
      name: "GetWorkflowSteps",
      method: "GET",
      path: "/domains/:DomainName/workflows/:WorkflowId/steps",
      handler: async (ctx) => {
        const wf = await workflowOf(ctx.params);
        const page = pageRequest(ctx.query, `GetWorkflowSteps:${wf.workflowId}`);
        const start = page.after === undefined ? 0 : Number(page.after) + 1;
        const all = await stepViews(workflows.store, workflows.executions, wf.workflowId);
        const items = all.slice(start, start + page.limit);
        const more = start + page.limit < all.length;
        return {
          WorkflowId: wf.workflowId,
          WorkflowType: wf.workflowType,
          Items: items.map((s) => ({
            AppflowIntegration: {
              FlowName: s.flowName,
              Status: s.status,
              ExecutionMessage: s.executionMessage.slice(0, 255),
              RecordsProcessed: s.recordsProcessed,
              BatchRecordsStartTime: iso(s.from),
              BatchRecordsEndTime: iso(s.to),
              CreatedAt: sec(s.createdAt),
              LastUpdatedAt: sec(s.lastUpdatedAt),
            },
          })),
          ...(more
            ? {
                NextToken: encodePageToken(
                  `GetWorkflowSteps:${wf.workflowId}`,
                  String(start + page.limit - 1),
                ),
              }
            : {}),
        };
      },
    },
    {
      name: "ListWorkflows",
      method: "POST",
      path: "/domains/:DomainName/workflows",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const input = parseInput(listInput, ctx.body ?? {});
        const page = pageRequest(ctx.query, "ListWorkflows");
        if (input.Status === "SPLIT" || input.Status === "RETRY") return { Items: [] }; // step-only statuses
        const rows = await workflows.store.list({
          domainName,
          status: input.Status,
          startedAfter: input.QueryStartDate === undefined ? undefined : input.QueryStartDate * 1000,
          updatedAfter: input.QueryEndDate === undefined ? undefined : input.QueryEndDate * 1000,
          after: page.after,
          limit: page.limit + 1,
        });
        const items = rows.slice(0, page.limit);
        const last = items[items.length - 1];
        return {
          Items: items.map((w) => ({
            WorkflowType: w.workflowType,
            WorkflowId: w.workflowId,
            Status: w.status,
            StatusDescription: statusDescription(w),
            CreatedAt: sec(w.createdAt),
            LastUpdatedAt: sec(w.lastUpdatedAt),
          })),
          ...(rows.length > page.limit && last
            ? { NextToken: encodePageToken("ListWorkflows", last.workflowId) }
            : {}),
        };
      },
    },
    {
      name: "DeleteWorkflow",
      method: "DELETE",
      path: "/domains/:DomainName/workflows/:WorkflowId",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        await workflows.delete(domainName, ctx.params["WorkflowId"] ?? "");
        return {};
      },
    },
    {
      // Extension (not in AWS): re-runs the FAILED steps' windows; attempts start over.
      name: "RetryWorkflowSteps",
      method: "POST",
      path: "/domains/:DomainName/workflows/:WorkflowId/retry",
      handler: async (ctx) => {
        const domainName = await domainOf(ctx.params);
        const windows = await workflows.rerunFailed(domainName, ctx.params["WorkflowId"] ?? "");
        return {
          WorkflowId: ctx.params["WorkflowId"],
          Message: `Re-running ${windows.length} failed step(s).`,
          Windows: windows.map((w) => ({ StartTime: sec(w.from), EndTime: sec(w.to) })),
        };
      },
    },
  ];
  return { service: "profile", operations: ops };
}

function statusDescription(w: Workflow): string {
  if (w.errorDescription) return w.errorDescription;
  switch (w.status) {
    case "COMPLETE":
      return `History ingested; continuous integration ${w.integrationUri ?? ""} took over.`.trim();
    case "NOT_STARTED":
      return "Waiting for the first step to start.";
    case "IN_PROGRESS":
      return "Ingesting the history batch by batch.";
    default:
      return w.status;
  }
}

function bad(message: string, member: string): ProfileflowError {
  return new ProfileflowError("VALIDATION_FAILED", message, { member });
}
