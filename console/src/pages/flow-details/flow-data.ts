import {
  DescribeFlowCommand,
  type DescribeFlowCommandOutput,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
} from "@aws-sdk/client-appflow";
import type { Clients } from "../../aws.ts";
import { type DeadLetterItem, listDeadLetters } from "../../extension-api.ts";
import type { Session } from "../../session.ts";

/** Everything Flow details shows about one integration's flow. */
export interface FlowData {
  flow: DescribeFlowCommandOutput;
  executions: ExecutionRecord[];
  /** The dead letters of the flow's object type in the flow's domain (newest first). */
  deadLetters: DeadLetterItem[];
  /** Where the flow writes: the domain and object type of its Customer Profiles destination. */
  objectTypeName: string | undefined;
  sourceObject: string | undefined;
}

/** Up to `max` executions, newest first (every page of DescribeFlowExecutionRecords). */
export async function allExecutions(c: Clients, flowName: string, max = 500): Promise<ExecutionRecord[]> {
  const out: ExecutionRecord[] = [];
  let nextToken: string | undefined;
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
  } while (nextToken && out.length < max);
  return out;
}

/** The source object a flow reads (whichever connector's properties are set). */
export function sourceObjectOf(flow: DescribeFlowCommandOutput): string | undefined {
  const props = flow.sourceFlowConfig?.sourceConnectorProperties ?? {};
  for (const p of Object.values(props)) {
    const object = (p as { object?: string } | undefined)?.object;
    if (object) return object;
  }
  return undefined;
}

/** The Customer Profiles object type a flow writes into. */
export function objectTypeOf(flow: DescribeFlowCommandOutput): string | undefined {
  for (const d of flow.destinationFlowConfigList ?? []) {
    const cp = d.destinationConnectorProperties?.CustomerProfiles;
    if (cp?.objectTypeName) return cp.objectTypeName;
  }
  return undefined;
}

export async function loadFlow(
  c: Clients,
  session: Session,
  domain: string,
  flowName: string,
): Promise<FlowData> {
  const [flow, executions] = await Promise.all([
    c.appflow.send(new DescribeFlowCommand({ flowName })),
    allExecutions(c, flowName),
  ]);
  const objectTypeName = objectTypeOf(flow);
  const deadLetters = objectTypeName ? await listDeadLetters(session, domain, objectTypeName) : [];
  return { flow, executions, deadLetters, objectTypeName, sourceObject: sourceObjectOf(flow) };
}
