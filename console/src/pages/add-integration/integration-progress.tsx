import type { ExecutionRecord } from "@aws-sdk/client-appflow";
import {
  GetWorkflowCommand,
  type GetWorkflowResponse,
  GetWorkflowStepsCommand,
  type WorkflowStepItem,
} from "@aws-sdk/client-customer-profiles";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Link from "@cloudscape-design/components/link";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import type { TableProps } from "@cloudscape-design/components/table";
import { useClients } from "../../aws.ts";
import { RUN_STATUS } from "../../components/flow-status.ts";
import { formatDate } from "../../components/table-states.tsx";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { flowExecutions, formatCount } from "../configuration/flow-executions.ts";
import type { Created } from "./create-integration.ts";
import { ProgressTable } from "./progress-table.tsx";
import { usePolling } from "./use-polling.ts";

const STATUS: Record<string, StatusIndicatorProps.Type> = {
  NOT_STARTED: "pending",
  IN_PROGRESS: "in-progress",
  COMPLETE: "success",
  FAILED: "error",
  SPLIT: "info",
  RETRY: "warning",
  CANCELLED: "stopped",
  ...RUN_STATUS,
};
const status = (s: string | undefined) => (
  <StatusIndicator type={STATUS[s ?? ""] ?? "info"}>{s ?? "-"}</StatusIndicator>
);
/** A date of the API (a Date, or an ISO string for workflow steps) as the tables show dates. */
const when = (v: Date | string | undefined) => formatDate(v === undefined ? undefined : new Date(v));
const n = (v: number | undefined) => (v ?? 0).toLocaleString("en-US");

/**
 * Retries of one step (3 at most on transient failures): "Attempt N of 4 reading …" means N − 1 so far,
 * "Retry N of 3 at …" N; a RETRY step without either message at least one.
 */
function retriesOf(s: WorkflowStepItem): number {
  const a = s.AppflowIntegration;
  const text = a?.ExecutionMessage ?? "";
  const attempt = /Attempt (\d+) of/.exec(text);
  const retry = /Retry (\d+) of/.exec(text);
  const n = retry ? Number(retry[1]) : attempt ? Number(attempt[1]) - 1 : 0;
  return Math.max(n, a?.Status === "RETRY" ? 1 : 0);
}

/** Records per second over the workflow's life so far. */
function rate(records: number, from: Date | undefined, to: Date | undefined): string {
  if (!from) return "-";
  const seconds = ((to ?? new Date()).getTime() - from.getTime()) / 1000;
  return seconds > 0 ? (records / seconds).toFixed(1) : "-";
}

function Links({ domain, flow }: { domain: string; flow: string }) {
  return (
    <SpaceBetween direction="horizontal" size="s">
      <Link href={href(paths.flowDetails(domain, flow))} onFollow={follow}>
        Flow details
      </Link>
      <Link href={href(paths.viewObjects(domain, flow))} onFollow={follow}>
        View objects
      </Link>
    </SpaceBetween>
  );
}

const batchOf = (s: WorkflowStepItem) =>
  `${when(s.AppflowIntegration?.BatchRecordsStartTime)} – ${when(s.AppflowIntegration?.BatchRecordsEndTime)}`;
const stepColumns: TableProps.ColumnDefinition<WorkflowStepItem>[] = [
  { id: "window", header: "Batch", isRowHeader: true, cell: batchOf },
  { id: "status", header: "Status", minWidth: 140, cell: (s) => status(s.AppflowIntegration?.Status) },
  { id: "records", header: "Records", cell: (s) => n(s.AppflowIntegration?.RecordsProcessed) },
  { id: "message", header: "Message", cell: (s) => s.AppflowIntegration?.ExecutionMessage || "-" },
];
/** What the filter of the steps table searches: the cells' text. */
const stepText = (s: WorkflowStepItem) =>
  [
    batchOf(s),
    s.AppflowIntegration?.Status,
    n(s.AppflowIntegration?.RecordsProcessed),
    s.AppflowIntegration?.ExecutionMessage,
  ].join(" ");

/** What the filter of the executions table searches: the cells' text. */
const executionText = (r: ExecutionRecord) =>
  [
    formatDate(r.startedAt),
    r.executionStatus,
    n(r.executionResult?.recordsProcessed),
    r.dataPullStartTime ? `${formatDate(r.dataPullStartTime)} – ${formatDate(r.dataPullEndTime)}` : "",
    r.executionResult?.errorInfo?.executionMessage ?? "",
  ].join(" ");

const executionColumns: TableProps.ColumnDefinition<ExecutionRecord>[] = [
  { id: "started", header: "Started", isRowHeader: true, cell: (r) => formatDate(r.startedAt) },
  { id: "status", header: "Status", minWidth: 140, cell: (r) => status(r.executionStatus) },
  { id: "records", header: "Records", cell: (r) => n(r.executionResult?.recordsProcessed) },
  {
    id: "rate",
    header: "Records/s",
    cell: (r) =>
      r.executionStatus === "InProgress"
        ? rate(r.executionResult?.recordsProcessed ?? 0, r.startedAt, undefined)
        : rate(r.executionResult?.recordsProcessed ?? 0, r.startedAt, r.lastUpdatedAt),
  },
  {
    id: "window",
    header: "Window",
    cell: (r) =>
      r.dataPullStartTime ? `${formatDate(r.dataPullStartTime)} – ${formatDate(r.dataPullEndTime)}` : "-",
  },
  { id: "message", header: "Message", cell: (r) => r.executionResult?.errorInfo?.executionMessage ?? "-" },
];

/** A bulk workflow's live progress: steps (2-month batches), records, records/s, retries. */
function WorkflowProgress({
  domain,
  created,
}: {
  domain: string;
  created: Created & { workflowId: string };
}) {
  const clients = useClients();
  const poll = usePolling<{ wf: GetWorkflowResponse; steps: WorkflowStepItem[] }>(
    `Workflow ${created.workflowId}`,
    async () => {
      const wf = await clients.profiles.send(
        new GetWorkflowCommand({ DomainName: domain, WorkflowId: created.workflowId }),
      );
      const steps: WorkflowStepItem[] = [];
      let NextToken: string | undefined;
      do {
        const page = await clients.profiles.send(
          new GetWorkflowStepsCommand({
            DomainName: domain,
            WorkflowId: created.workflowId,
            MaxResults: 100,
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        steps.push(...(page.Items ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return { wf, steps };
    },
    (d) => d.wf.Status === "COMPLETE" || d.wf.Status === "FAILED" || d.wf.Status === "CANCELLED",
  );
  const m = poll.data?.wf.Metrics?.AppflowIntegration;
  const steps = poll.data?.steps ?? [];
  const retries = steps.reduce((sum, s) => sum + retriesOf(s), 0);
  const wf = poll.data?.wf;
  const finished = wf?.Status === "COMPLETE" || wf?.Status === "FAILED";
  return (
    <Container
      header={
        <Header
          variant="h2"
          description={created.message}
          actions={poll.failed ? <Button onClick={poll.restart}>Refresh</Button> : undefined}
        >
          {`${created.object} → ${created.objectType}: workflow ${created.workflowId}`}
        </Header>
      }
    >
      <SpaceBetween size="m">
        <ProgressBar
          label="Batches ingested"
          value={m?.TotalSteps ? ((m.StepsCompleted ?? 0) / m.TotalSteps) * 100 : 0}
          description={m ? `${n(m.StepsCompleted)} of ${n(m.TotalSteps)} steps complete` : "Loading"}
          status={wf?.Status === "FAILED" ? "error" : wf?.Status === "COMPLETE" ? "success" : "in-progress"}
          resultText={
            wf?.Status === "FAILED"
              ? (wf.ErrorDescription ?? "Failed")
              : "Complete: continuous integration on"
          }
        />
        <KeyValuePairs
          columns={4}
          items={[
            { label: "Workflow status", value: status(wf?.Status) },
            { label: "Records processed", value: n(m?.RecordsProcessed) },
            {
              label: "Records/s",
              value: rate(m?.RecordsProcessed ?? 0, wf?.StartDate, finished ? wf?.LastUpdatedAt : undefined),
            },
            { label: "Retries", value: String(retries) },
            { label: "Integration", value: <Links domain={domain} flow={created.flowName} /> },
          ]}
        />
        <ProgressTable<WorkflowStepItem>
          title="Steps"
          noun="steps"
          items={steps}
          loading={!poll.data}
          columns={stepColumns}
          text={stepText}
          empty="No steps yet."
        />
      </SpaceBetween>
    </Container>
  );
}

/** A continuous integration's live progress: its flow's executions. */
function FlowProgress({ domain, created }: { domain: string; created: Created }) {
  const clients = useClients();
  const poll = usePolling<{ executions: ExecutionRecord[]; capped: boolean }>(
    `Executions of ${created.flowName}`,
    () => flowExecutions(clients.appflow, created.flowName),
    ({ executions: runs }) => runs.length > 0 && runs.every((r) => r.executionStatus !== "InProgress"),
  );
  const runs = poll.data?.executions ?? [];
  const capped = poll.data?.capped ?? false;
  const records = runs.reduce((sum, r) => sum + (r.executionResult?.recordsProcessed ?? 0), 0);
  return (
    <Container
      header={
        <Header
          variant="h2"
          description="A continuous integration: its flow runs every hour and ingests records updated since the last run."
          actions={
            <Button
              onClick={poll.restart}
              ariaLabel={`Refresh executions of ${created.flowName}`}
              iconName="refresh"
            />
          }
        >
          {`${created.object} → ${created.objectType}: ${created.flowName}`}
        </Header>
      }
    >
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={3}
          items={[
            { label: "Records processed", value: formatCount(records, capped) },
            {
              label: "Last run",
              value: runs[0] ? (
                status(runs[0].executionStatus)
              ) : (
                <StatusIndicator type="pending">Waiting for the first run</StatusIndicator>
              ),
            },
            { label: "Integration", value: <Links domain={domain} flow={created.flowName} /> },
          ]}
        />
        <ProgressTable<ExecutionRecord>
          title="Executions"
          noun="executions"
          items={runs}
          loading={!poll.data}
          columns={executionColumns}
          text={executionText}
          empty="No executions yet."
          countSuffix={capped ? ", the newest" : ""}
        />
      </SpaceBetween>
    </Container>
  );
}

/** After Create integration: each created integration's live progress. */
export function IntegrationProgress({ domain, created }: { domain: string; created: Created[] }) {
  return (
    <SpaceBetween size="l">
      {created.map((c) =>
        c.workflowId ? (
          <WorkflowProgress key={c.flowName} domain={domain} created={{ ...c, workflowId: c.workflowId }} />
        ) : (
          <FlowProgress key={c.flowName} domain={domain} created={c} />
        ),
      )}
    </SpaceBetween>
  );
}
