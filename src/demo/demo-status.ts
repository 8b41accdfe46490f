import { DescribeFlowExecutionRecordsCommand, type ExecutionRecord } from "@aws-sdk/client-appflow";
import { GetWorkflowCommand } from "@aws-sdk/client-customer-profiles";
import type { DemoClients, DemoTrack } from "./demo-setup.ts";

/** Where one object's integration stands, as the public API tells it. */
export interface TrackStatus {
  vendor: string;
  /** The source object (Contact, Asset, incident, tickets…) and the object type it is ingested as. */
  object: string;
  objectTypeName: string;
  flowName: string;
  connectorProfileName: string;
  workflowId?: string;
  /** NOT_STARTED … COMPLETE for a workflow; undefined for a plain integration. */
  workflowStatus?: string;
  stepsCompleted: number;
  totalSteps: number;
  /** Distinct records of the backfill steps plus records of the continuous flow's executions. */
  records: number;
  /** Records of executions that started after `since` (what this run ingested). */
  recordsSince: number;
  executions: number;
  running: boolean;
  lastStatus?: string;
  /** The last finished run's message: its counts, or why it failed. */
  lastMessage?: string;
  lastFinishedAt?: number;
  /** The history is in and the continuous flow has finished at least one run, with none running now. */
  caughtUp: boolean;
}

const notFound = (e: unknown) => (e as { name?: string }).name === "ResourceNotFoundException";

/** Every execution record of a flow (all pages); none when the flow does not exist yet. */
export async function executionsOf(c: DemoClients, flowName: string): Promise<ExecutionRecord[]> {
  const out: ExecutionRecord[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await c.appflow.send(
        new DescribeFlowExecutionRecordsCommand({
          flowName,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      out.push(...(page.flowExecutions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  return out;
}

/** The status of one track; `since` (epoch ms) splits this run's records from earlier runs'. */
export async function trackStatus(
  c: DemoClients,
  domain: string,
  track: DemoTrack,
  since: number,
  workflowRecordsAtStart = 0,
): Promise<TrackStatus> {
  const s: TrackStatus = {
    vendor: track.source.vendor,
    object: track.source.object,
    objectTypeName: track.source.objectTypeName,
    flowName: track.source.flowName,
    connectorProfileName: track.source.connectorProfileName,
    stepsCompleted: 0,
    totalSteps: 0,
    records: 0,
    recordsSince: 0,
    executions: 0,
    running: false,
    caughtUp: false,
  };
  let historyDone = true;
  if (track.workflowId) {
    const wf = await c.profiles.send(
      new GetWorkflowCommand({ DomainName: domain, WorkflowId: track.workflowId }),
    );
    const m = wf.Metrics?.AppflowIntegration;
    s.workflowId = track.workflowId;
    if (wf.Status) s.workflowStatus = wf.Status;
    s.stepsCompleted = m?.StepsCompleted ?? 0;
    s.totalSteps = m?.TotalSteps ?? 0;
    s.records = m?.RecordsProcessed ?? 0;
    s.recordsSince = Math.max(0, s.records - workflowRecordsAtStart);
    historyDone = wf.Status === "COMPLETE" || wf.Status === "FAILED";
    s.running = !historyDone;
  }
  for (const e of await executionsOf(c, track.source.flowName)) {
    const n = e.executionResult?.recordsProcessed ?? 0;
    s.executions++;
    s.records += n;
    if ((e.startedAt?.getTime() ?? 0) >= since) s.recordsSince += n;
    if (e.executionStatus === "InProgress") s.running = true;
    const finished = e.lastUpdatedAt?.getTime() ?? 0;
    if (e.executionStatus !== "InProgress" && finished >= (s.lastFinishedAt ?? 0)) {
      s.lastFinishedAt = finished;
      if (e.executionStatus) s.lastStatus = e.executionStatus;
      const message = e.executionResult?.errorInfo?.executionMessage;
      if (message) s.lastMessage = message;
      else delete s.lastMessage;
    }
  }
  s.caughtUp = historyDone && !s.running && s.lastStatus !== undefined;
  return s;
}
