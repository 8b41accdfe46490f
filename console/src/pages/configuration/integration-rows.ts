import { DescribeFlowCommand } from "@aws-sdk/client-appflow";
import { GetWorkflowCommand } from "@aws-sdk/client-customer-profiles";
import type { Clients } from "../../aws.ts";
import { flowNameOf, listAllIntegrations } from "../../integrations.ts";
import { flowExecutions } from "./flow-executions.ts";

/** One row of the integrations table: the integration and what its flow says about itself. */
export interface IntegrationRow {
  uri: string;
  flowName: string | undefined;
  source: string;
  objects: string;
  objectType: string;
  status: string;
  lastRun: Date | undefined;
  lastRunStatus: string | undefined;
  records: number | undefined;
  errors: number | undefined;
  /** Records and errors are lower bounds: the flow has more runs than flowExecutions reads. */
  countsCapped?: boolean;
  /** Why the flow could not be read (shown in the row instead of failing the table). */
  problem?: string;
}

/**
 * The integrations of a domain, each with its flow's source, status, last run, records (its bulk
 * workflow's history batches plus all its runs, up to flowExecutions' cap) and errors (put
 * failures of those runs).
 */
export async function integrationRows(c: Clients, domain: string): Promise<IntegrationRow[]> {
  const integrations = await listAllIntegrations(c, domain);
  return Promise.all(
    integrations.map(async (i): Promise<IntegrationRow> => {
      const flowName = flowNameOf(i.Uri);
      const objectType = i.ObjectTypeName ?? Object.values(i.ObjectTypeNames ?? {}).join(", ");
      const row: IntegrationRow = {
        uri: i.Uri ?? "",
        flowName,
        source: "-",
        objects: "-",
        objectType: objectType || "-",
        status: "-",
        lastRun: undefined,
        lastRunStatus: undefined,
        records: undefined,
        errors: undefined,
      };
      if (!flowName) return row;
      try {
        const [flow, runs, workflow] = await Promise.all([
          c.appflow.send(new DescribeFlowCommand({ flowName })),
          flowExecutions(c.appflow, flowName),
          // A bulk integration's history came in through its workflow's batches.
          i.WorkflowId
            ? c.profiles.send(new GetWorkflowCommand({ DomainName: domain, WorkflowId: i.WorkflowId }))
            : undefined,
        ]);
        const history = workflow?.Metrics?.AppflowIntegration?.RecordsProcessed ?? 0;
        const props = flow.sourceFlowConfig?.sourceConnectorProperties ?? {};
        const objects = Object.values(props)
          .map((p) => (p as { object?: string } | undefined)?.object)
          .filter(Boolean);
        const { executions, capped } = runs;
        return {
          ...row,
          source: flow.sourceFlowConfig?.connectorType ?? "-",
          objects: objects.join(", ") || "-",
          status: flow.flowStatus ?? "-",
          lastRun: flow.lastRunExecutionDetails?.mostRecentExecutionTime,
          lastRunStatus: flow.lastRunExecutionDetails?.mostRecentExecutionStatus,
          records: executions.reduce((n, e) => n + (e.executionResult?.recordsProcessed ?? 0), history),
          errors: executions.reduce((n, e) => n + (e.executionResult?.errorInfo?.putFailuresCount ?? 0), 0),
          countsCapped: capped,
        };
      } catch (e) {
        return { ...row, problem: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
    }),
  );
}
