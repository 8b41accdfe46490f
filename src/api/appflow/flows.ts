import { z } from "zod";
import type { FlowService } from "../../services/flow-service.ts";
import { type Operation, postOperation, type ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { createFlowInput, flowName, updateFlowInput } from "./flow-schema.ts";
import { executionRecord, flowDescription, flowSummary } from "./flow-views.ts";
import { toDefinition } from "./flow-wire.ts";
import { decodeToken, page } from "./pagination.ts";

export interface FlowOperationDeps {
  flows: FlowService;
  /** The principal recorded as createdBy / lastUpdatedBy. */
  principalArn: string;
}

const nameInput = z.object({
  flowName,
  forceDelete: z.boolean().optional(),
  clientToken: z.string().max(256).optional(),
});
const listInput = z.object({
  maxResults: z.number().int().min(1).max(100).optional(),
  nextToken: z.string().max(2048).optional(),
});
const executionsInput = listInput.extend({ flowName });
const cancelInput = z.object({ flowName, executionIds: z.array(z.string().max(256)).max(100).optional() });

const op = postOperation;

/** CreateFlow, UpdateFlow, DescribeFlow, ListFlows, DeleteFlow, StartFlow, StopFlow and the execution operations. */
export function flowOperations(deps: FlowOperationDeps): ServiceDefinition {
  const { flows, principalArn } = deps;
  const operations: Operation[] = [
    op("CreateFlow", "/create-flow", async (ctx) => {
      const input = parseInput(createFlowInput, ctx.body);
      return flows.create(
        toDefinition(input),
        { tags: input.tags },
        {
          token: input.clientToken,
          request: { ...input, clientToken: undefined },
          respond: (flow) => ({ flowArn: flow.flowArn, flowStatus: flow.flowStatus }),
        },
      );
    }),
    op("UpdateFlow", "/update-flow", async (ctx) => {
      const input = parseInput(updateFlowInput, ctx.body);
      return flows.update(toDefinition(input), {
        token: input.clientToken,
        request: { ...input, clientToken: undefined },
        respond: (flow) => ({ flowStatus: flow.flowStatus }),
      });
    }),
    op("DescribeFlow", "/describe-flow", async (ctx) =>
      flowDescription(await flows.describe(parseInput(nameInput, ctx.body).flowName), principalArn),
    ),
    op("ListFlows", "/list-flows", async (ctx) => {
      const input = parseInput(listInput, ctx.body);
      const limit = input.maxResults ?? 100;
      const rows = await flows.list({ after: decodeToken(input.nextToken, "nextToken"), limit: limit + 1 });
      const { items, next } = page(rows, limit, (d) => d.flow.definition.flowName);
      return { flows: items.map((d) => flowSummary(d, principalArn)), ...(next ? { nextToken: next } : {}) };
    }),
    op("DeleteFlow", "/delete-flow", async (ctx) => {
      const input = parseInput(nameInput, ctx.body);
      await flows.delete(input.flowName, { force: input.forceDelete ?? false });
      return {};
    }),
    op("StartFlow", "/start-flow", async (ctx) => {
      const input = parseInput(nameInput, ctx.body);
      return flows.start(input.flowName, {
        token: input.clientToken,
        request: { flowName: input.flowName },
        respond: ({ flow, executionId }) => ({
          flowArn: flow.flowArn,
          flowStatus: "Active",
          ...(executionId ? { executionId } : {}),
        }),
      });
    }),
    op("StopFlow", "/stop-flow", async (ctx) => {
      const flow = await flows.stop(parseInput(nameInput, ctx.body).flowName);
      return { flowArn: flow.flowArn, flowStatus: "Suspended" };
    }),
    op("DescribeFlowExecutionRecords", "/describe-flow-execution-records", async (ctx) => {
      const input = parseInput(executionsInput, ctx.body);
      const { items, next } = await flows.executions(input.flowName, {
        limit: input.maxResults ?? 100,
        after: input.nextToken,
      });
      return { flowExecutions: items.map(executionRecord), ...(next ? { nextToken: next } : {}) };
    }),
    op("CancelFlowExecutions", "/cancel-flow-executions", async (ctx) => {
      const input = parseInput(cancelInput, ctx.body);
      return { invalidExecutions: await flows.cancelExecutions(input.flowName, input.executionIds ?? []) };
    }),
  ];
  return { service: "appflow", operations: operations };
}
