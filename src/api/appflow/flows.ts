import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { ConnectorProfileStore } from "../../flows/connector-profile-store.ts";
import type { FlowDefinition, StoredFlow } from "../../flows/flow-definition.ts";
import type { FlowStore } from "../../flows/flow-store.ts";
import type { Idempotency } from "../idempotency.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import type { TagStore } from "../tags/tag-store.ts";
import { parseInput } from "../validate.ts";
import type { ExecutionView, FlowRunner } from "./flow-runner.ts";
import { createFlowInput, flowName, updateFlowInput } from "./flow-schema.ts";
import { toDefinition, toWire } from "./flow-wire.ts";
import { decodeToken, page } from "./pagination.ts";
import { validateTasks } from "./validate-tasks.ts";

export interface FlowOperationDeps {
  flows: FlowStore;
  connectorProfiles: ConnectorProfileStore;
  runner: FlowRunner;
  tags: TagStore;
  idempotency: Idempotency;
  /** Whether a Customer Profiles domain exists (the flow's destination). */
  domainExists: (name: string) => Promise<boolean>;
  /** The principal recorded as createdBy / lastUpdatedBy. */
  principalArn: string;
}

const s = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const SCHEDULE = /^rate\(\s*\d+\s*(minute|minutes|hour|hours|day|days)\s*\)$/;

/** Checks everything about a flow that zod cannot: references, schedule, tasks. */
export async function checkFlow(
  def: FlowDefinition,
  deps: Pick<FlowOperationDeps, "connectorProfiles" | "domainExists">,
): Promise<void> {
  const src = def.sourceFlowConfig;
  const key = src.connectorType === "Servicenow" ? "ServiceNow" : src.connectorType;
  if (!src.sourceConnectorProperties[key]) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `sourceConnectorProperties must hold ${key} for a ${src.connectorType} source.`,
      {
        member: "sourceFlowConfig.sourceConnectorProperties",
      },
    );
  }
  if (!src.connectorProfileName) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      "sourceFlowConfig.connectorProfileName is required for this connector.",
      {
        member: "sourceFlowConfig.connectorProfileName",
      },
    );
  }
  const profile = await deps.connectorProfiles.require(src.connectorProfileName);
  if (profile.connectorType !== src.connectorType) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `Connector profile ${profile.name} is a ${profile.connectorType} profile, not ${src.connectorType}.`,
      { member: "sourceFlowConfig.connectorProfileName" },
    );
  }
  const domain = def.destinationFlowConfigList[0]!.destinationConnectorProperties.CustomerProfiles.domainName;
  if (!(await deps.domainExists(domain))) {
    throw new ProfileflowError("RESOURCE_NOT_FOUND", `Customer Profiles domain ${domain} does not exist.`);
  }
  const trig = def.triggerConfig;
  if (trig.triggerType === "Scheduled") {
    const sched = trig.triggerProperties?.Scheduled;
    if (!sched) {
      throw new ProfileflowError("VALIDATION_FAILED", "A Scheduled flow needs triggerProperties.Scheduled.", {
        member: "triggerConfig.triggerProperties",
      });
    }
    if (!SCHEDULE.test(sched.scheduleExpression)) {
      throw new ProfileflowError(
        "VALIDATION_FAILED",
        `scheduleExpression ${sched.scheduleExpression} is not supported; use rate(N minutes|hours|days).`,
        { member: "triggerConfig.triggerProperties.Scheduled.scheduleExpression" },
      );
    }
    if (sched.dataPullMode !== "Complete" && !src.incrementalPullConfig?.datetimeTypeFieldName) {
      throw new ProfileflowError(
        "VALIDATION_FAILED",
        "An Incremental scheduled flow needs sourceFlowConfig.incrementalPullConfig.datetimeTypeFieldName.",
        { member: "sourceFlowConfig.incrementalPullConfig" },
      );
    }
  } else if (trig.triggerType === "Event") {
    throw new ProfileflowError(
      "UNSUPPORTED_OPERATION",
      "Event-triggered flows are not supported for these sources.",
    );
  }
  validateTasks(src.connectorType, def.tasks);
}

/** CreateFlow, UpdateFlow, DescribeFlow, ListFlows, DeleteFlow, StartFlow, StopFlow and the execution operations. */
export function flowOperations(deps: FlowOperationDeps): ServiceDefinition {
  const { flows, runner, tags } = deps;
  const lastRun = async (name: string) => {
    const { items } = await runner.executions(name, { limit: 1 });
    const e = items[0];
    return e
      ? {
          mostRecentExecutionMessage: e.executionMessage ?? "",
          mostRecentExecutionTime: s(e.lastUpdatedAt),
          mostRecentExecutionStatus: e.executionStatus,
        }
      : undefined;
  };
  const describe = async (f: StoredFlow) => ({
    ...toWire(f.definition),
    flowArn: f.flowArn,
    flowStatus: f.flowStatus,
    ...(f.flowStatusMessage ? { flowStatusMessage: f.flowStatusMessage } : {}),
    lastRunExecutionDetails: await lastRun(f.definition.flowName),
    createdAt: s(f.createdAt),
    lastUpdatedAt: s(f.lastUpdatedAt),
    createdBy: deps.principalArn,
    lastUpdatedBy: deps.principalArn,
    tags: await tags.list(f.flowArn),
    schemaVersion: 1,
  });
  const nameInput = z.object({
    flowName,
    forceDelete: z.boolean().optional(),
    clientToken: z.string().max(256).optional(),
  });
  const ops: Operation[] = [
    {
      name: "CreateFlow",
      method: "POST",
      path: "/create-flow",
      handler: async (ctx) => {
        const input = parseInput(createFlowInput, ctx.body);
        return deps.idempotency.run(
          "CreateFlow",
          input.clientToken,
          { ...input, clientToken: undefined },
          async () => {
            const def = toDefinition(input);
            await checkFlow(def, deps);
            const status = def.triggerConfig.triggerType === "Scheduled" ? "Draft" : "Active";
            const flow = await flows.create(def, { status });
            if (input.tags) await tags.tag(flow.flowArn, input.tags);
            return { flowArn: flow.flowArn, flowStatus: flow.flowStatus };
          },
        );
      },
    },
    {
      name: "UpdateFlow",
      method: "POST",
      path: "/update-flow",
      handler: async (ctx) => {
        const input = parseInput(updateFlowInput, ctx.body);
        return deps.idempotency.run(
          "UpdateFlow",
          input.clientToken,
          { ...input, clientToken: undefined },
          async () => {
            const existing = await flows.require(input.flowName);
            const def = {
              ...toDefinition(input),
              ...(existing.definition.kmsArn ? { kmsArn: existing.definition.kmsArn } : {}),
            };
            await checkFlow(def, deps);
            const flow = await flows.update(def);
            if (flow.flowStatus === "Active" && def.triggerConfig.triggerType === "Scheduled")
              await runner.activate(flow);
            return { flowStatus: flow.flowStatus };
          },
        );
      },
    },
    {
      name: "DescribeFlow",
      method: "POST",
      path: "/describe-flow",
      handler: async (ctx) => describe(await flows.require(parseInput(nameInput, ctx.body).flowName)),
    },
    {
      name: "ListFlows",
      method: "POST",
      path: "/list-flows",
      handler: async (ctx) => {
        const input = parseInput(
          z.object({
            maxResults: z.number().int().min(1).max(100).optional(),
            nextToken: z.string().max(2048).optional(),
          }),
          ctx.body,
        );
        const limit = input.maxResults ?? 100;
        const rows = await flows.list({ after: decodeToken(input.nextToken, "nextToken"), limit: limit + 1 });
        const { items, next } = page(rows, limit, (f) => f.definition.flowName);
        const out = await Promise.all(
          items.map(async (f) => ({
            flowArn: f.flowArn,
            ...(f.definition.description ? { description: f.definition.description } : {}),
            flowName: f.definition.flowName,
            flowStatus: f.flowStatus,
            sourceConnectorType: f.definition.sourceFlowConfig.connectorType,
            destinationConnectorType: "CustomerProfiles",
            triggerType: f.definition.triggerConfig.triggerType,
            createdAt: s(f.createdAt),
            lastUpdatedAt: s(f.lastUpdatedAt),
            createdBy: deps.principalArn,
            lastUpdatedBy: deps.principalArn,
            tags: await tags.list(f.flowArn),
            lastRunExecutionDetails: await lastRun(f.definition.flowName),
          })),
        );
        return { flows: out, ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      name: "DeleteFlow",
      method: "POST",
      path: "/delete-flow",
      handler: async (ctx) => {
        const input = parseInput(nameInput, ctx.body);
        const flow = await flows.require(input.flowName);
        if (!input.forceDelete && (await runner.isRunning(input.flowName))) {
          throw new ProfileflowError(
            "CONFLICT",
            `Flow ${input.flowName} has a run in progress; use forceDelete to delete it anyway.`,
          );
        }
        if (await runner.isRunning(input.flowName)) await runner.cancel(flow, []);
        await runner.forget(input.flowName);
        await tags.clear(flow.flowArn);
        await flows.delete(input.flowName);
        return {};
      },
    },
    {
      name: "StartFlow",
      method: "POST",
      path: "/start-flow",
      handler: async (ctx) => {
        const input = parseInput(nameInput, ctx.body);
        return deps.idempotency.run(
          "StartFlow",
          input.clientToken,
          { flowName: input.flowName },
          async () => {
            const flow = await flows.require(input.flowName);
            if (flow.definition.triggerConfig.triggerType === "OnDemand") {
              if (await runner.isRunning(flow.definition.flowName)) {
                throw new ProfileflowError(
                  "CONFLICT",
                  `Flow ${flow.definition.flowName} already has a run in progress.`,
                );
              }
              const executionId = await runner.startOnDemand(flow);
              return { flowArn: flow.flowArn, flowStatus: "Active", executionId };
            }
            await flows.setStatus(flow.definition.flowName, "Active");
            await runner.activate({ ...flow, flowStatus: "Active" });
            return { flowArn: flow.flowArn, flowStatus: "Active" };
          },
        );
      },
    },
    {
      name: "StopFlow",
      method: "POST",
      path: "/stop-flow",
      handler: async (ctx) => {
        const flow = await flows.require(parseInput(nameInput, ctx.body).flowName);
        if (flow.definition.triggerConfig.triggerType === "OnDemand") {
          throw new ProfileflowError(
            "UNSUPPORTED_OPERATION",
            "StopFlow is not supported for OnDemand flows.",
          );
        }
        await flows.setStatus(flow.definition.flowName, "Suspended");
        await runner.deactivate(flow);
        return { flowArn: flow.flowArn, flowStatus: "Suspended" };
      },
    },
    {
      name: "DescribeFlowExecutionRecords",
      method: "POST",
      path: "/describe-flow-execution-records",
      handler: async (ctx) => {
        const input = parseInput(
          z.object({
            flowName,
            maxResults: z.number().int().min(1).max(100).optional(),
            nextToken: z.string().max(2048).optional(),
          }),
          ctx.body,
        );
        await flows.require(input.flowName);
        const { items, next } = await runner.executions(input.flowName, {
          limit: input.maxResults ?? 100,
          after: input.nextToken,
        });
        return { flowExecutions: items.map(executionRecord), ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      name: "CancelFlowExecutions",
      method: "POST",
      path: "/cancel-flow-executions",
      handler: async (ctx) => {
        const input = parseInput(
          z.object({ flowName, executionIds: z.array(z.string().max(256)).max(100).optional() }),
          ctx.body,
        );
        const flow = await flows.require(input.flowName);
        return { invalidExecutions: await runner.cancel(flow, input.executionIds ?? []) };
      },
    },
  ];
  return { service: "appflow", operations: ops };
}

/** An execution in the AppFlow ExecutionRecord shape. */
export function executionRecord(e: ExecutionView) {
  return {
    executionId: e.executionId,
    executionStatus: e.executionStatus,
    executionResult: {
      errorInfo: { putFailuresCount: e.putFailuresCount, executionMessage: e.executionMessage ?? "" },
      bytesProcessed: e.bytesProcessed,
      bytesWritten: e.bytesWritten,
      recordsProcessed: e.recordsProcessed,
    },
    startedAt: s(e.startedAt),
    lastUpdatedAt: s(e.lastUpdatedAt),
    ...(e.dataPullStartTime !== undefined ? { dataPullStartTime: s(e.dataPullStartTime) } : {}),
    ...(e.dataPullEndTime !== undefined ? { dataPullEndTime: s(e.dataPullEndTime) } : {}),
  };
}
