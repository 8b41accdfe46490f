import { z } from "zod";
import { iso } from "../../flows/workflows/planner.ts";
import type { Workflow } from "../../flows/workflows/workflow-store.ts";
import type { WorkflowMetrics } from "../../flows/workflows/workflow-views.ts";
import type { WorkflowService } from "../../services/workflow-service.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { flowDefinitionInput, toFlowDefinition } from "./flow-definition-wire.ts";
import { encodePageToken, pageRequest } from "./pagination.ts";

export interface WorkflowOperationsDeps {
  workflows: WorkflowService;
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
const domainOf = (ctx: OperationContext) =>
  parseInput(domainNameSchema, ctx.params["DomainName"], "DomainName");
const workflowIdOf = (ctx: OperationContext) => ctx.params["WorkflowId"] ?? "";

/** GetWorkflow's answer. */
function workflowResponse(wf: Workflow, m: WorkflowMetrics) {
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
}

/** CreateIntegrationWorkflow: the wire request in, the service's request out. */
async function createWorkflow(workflows: WorkflowService, ctx: OperationContext) {
  const domainName = domainOf(ctx);
  await workflows.requireDomain(domainName);
  const input = parseInput(createInput, ctx.body);
  const wire = input.IntegrationConfig.AppflowIntegration;
  const { workflow, batches } = await workflows.create(domainName, {
    objectTypeName: input.ObjectTypeName,
    roleArn: input.RoleArn,
    flowDefinition: toFlowDefinition(wire.FlowDefinition, domainName, input.ObjectTypeName),
    batches: wire.Batches?.map((b) => ({
      from: Math.round(b.StartTime * 1000),
      to: Math.round(b.EndTime * 1000),
    })),
    tags: input.Tags,
    callerAccessKeyId: ctx.caller.accessKeyId,
    requestId: ctx.requestId,
  });
  return {
    WorkflowId: workflow.workflowId,
    Message: `Workflow creation request received: ${batches.length} batches from ${iso(batches[0]!.from)} to ${iso(workflow.historyEnd)}.`,
  };
}

/** GetWorkflowSteps: one page of the steps (the token is the last index shown). */
async function workflowSteps(workflows: WorkflowService, ctx: OperationContext) {
  const { workflow: wf, steps } = await workflows.steps(domainOf(ctx), workflowIdOf(ctx));
  const page = pageRequest(ctx.query, `GetWorkflowSteps:${wf.workflowId}`);
  const start = page.after === undefined ? 0 : Number(page.after) + 1;
  const items = steps.slice(start, start + page.limit);
  const more = start + page.limit < steps.length;
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
      ? { NextToken: encodePageToken(`GetWorkflowSteps:${wf.workflowId}`, String(start + page.limit - 1)) }
      : {}),
  };
}

/** ListWorkflows: a page of the domain's workflows, newest first. */
async function listWorkflows(workflows: WorkflowService, ctx: OperationContext) {
  const domainName = domainOf(ctx);
  await workflows.requireDomain(domainName);
  const input = parseInput(listInput, ctx.body ?? {});
  const page = pageRequest(ctx.query, "ListWorkflows");
  if (input.Status === "SPLIT" || input.Status === "RETRY") return { Items: [] }; // step-only statuses
  const rows = await workflows.list(domainName, {
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
}

/** The workflow operations of §2.4, plus the extension that re-runs failed steps' windows. */
export function workflowOperations({ workflows }: WorkflowOperationsDeps): ServiceDefinition {
  const ops: Operation[] = [
    {
      name: "CreateIntegrationWorkflow",
      method: "POST",
      path: "/domains/:DomainName/workflows/integrations",
      handler: (ctx) => createWorkflow(workflows, ctx),
    },
    {
      name: "GetWorkflow",
      method: "GET",
      path: "/domains/:DomainName/workflows/:WorkflowId",
      handler: async (ctx) => {
        const { workflow, metrics } = await workflows.get(domainOf(ctx), workflowIdOf(ctx));
        return workflowResponse(workflow, metrics);
      },
    },
    {
      name: "GetWorkflowSteps",
      method: "GET",
      path: "/domains/:DomainName/workflows/:WorkflowId/steps",
      handler: (ctx) => workflowSteps(workflows, ctx),
    },
    {
      name: "ListWorkflows",
      method: "POST",
      path: "/domains/:DomainName/workflows",
      handler: (ctx) => listWorkflows(workflows, ctx),
    },
    {
      name: "DeleteWorkflow",
      method: "DELETE",
      path: "/domains/:DomainName/workflows/:WorkflowId",
      handler: async (ctx) => {
        await workflows.delete(domainOf(ctx), workflowIdOf(ctx));
        return {};
      },
    },
    {
      // Extension (not in AWS): re-runs the FAILED steps' windows; attempts start over.
      name: "RetryWorkflowSteps",
      method: "POST",
      path: "/domains/:DomainName/workflows/:WorkflowId/retry",
      handler: async (ctx) => {
        const windows = await workflows.retry(domainOf(ctx), workflowIdOf(ctx));
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
