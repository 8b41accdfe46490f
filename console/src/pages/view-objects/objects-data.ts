import { DescribeFlowCommand } from "@aws-sdk/client-appflow";
import { GetIntegrationCommand } from "@aws-sdk/client-customer-profiles";
import type { Clients } from "../../aws.ts";
import { type DomainObjectItem, listDeadLetters, listDomainObjects } from "../../extension-api.ts";
import type { Session } from "../../session.ts";
import { allExecutions, objectTypeOf, sourceObjectOf } from "../flow-details/flow-data.ts";

/** What one object type of the integration received: counts from the runs, and the stored objects. */
export interface ObjectTypeCounts {
  objectTypeName: string;
  sourceObject: string;
  /** Records the flow's runs read and sent (DescribeFlowExecutionRecords' recordsProcessed). */
  recordsProcessed: number;
  /** Records that failed to be written (putFailuresCount). */
  failures: number;
  runs: number;
  /** Records dead-lettered for this object type (up to 500 counted). */
  deadLetters: number;
  /** The newest stored object's time. */
  lastObjectAt: Date | undefined;
}

export interface ObjectsData {
  types: ObjectTypeCounts[];
  /** The latest stored objects of the integration's object types, newest first. */
  objects: DomainObjectItem[];
  /** More objects exist than were loaded. */
  more: boolean;
}

/** The latest objects loaded per object type. */
export const LATEST = 200;

export async function loadObjects(
  c: Clients,
  session: Session,
  domain: string,
  flowName: string,
): Promise<ObjectsData> {
  const [flow, executions] = await Promise.all([
    c.appflow.send(new DescribeFlowCommand({ flowName })),
    allExecutions(c, flowName),
  ]);
  const types = new Set<string>();
  const flowType = objectTypeOf(flow);
  if (flowType) types.add(flowType);
  if (flow.flowArn) {
    // The integration may map several object types (ObjectTypeNames); a flow made by hand has none.
    const integration = await c.profiles
      .send(new GetIntegrationCommand({ DomainName: domain, Uri: flow.flowArn }))
      .catch((e: unknown) => {
        if ((e as { name?: string }).name === "ResourceNotFoundException") return undefined;
        throw e;
      });
    if (integration?.ObjectTypeName) types.add(integration.ObjectTypeName);
    for (const t of Object.values(integration?.ObjectTypeNames ?? {})) types.add(t);
  }
  const recordsProcessed = executions.reduce((n, e) => n + (e.executionResult?.recordsProcessed ?? 0), 0);
  const failures = executions.reduce((n, e) => n + (e.executionResult?.errorInfo?.putFailuresCount ?? 0), 0);
  const perType = await Promise.all(
    [...types].map(async (objectTypeName) => {
      const [latest, dead] = await Promise.all([
        listDomainObjects(session, domain, { objectTypeName }, LATEST),
        listDeadLetters(session, domain, objectTypeName),
      ]);
      const counts: ObjectTypeCounts = {
        objectTypeName,
        sourceObject: sourceObjectOf(flow) ?? "-",
        // One flow feeds the integration: its runs' counts belong to the type it writes.
        recordsProcessed: objectTypeName === flowType ? recordsProcessed : 0,
        failures: objectTypeName === flowType ? failures : 0,
        runs: objectTypeName === flowType ? executions.length : 0,
        deadLetters: dead.length,
        lastObjectAt: latest.items[0] ? new Date(latest.items[0].UpdatedAt * 1000) : undefined,
      };
      return { counts, latest };
    }),
  );
  const objects = perType.flatMap((t) => t.latest.items).sort((a, b) => b.UpdatedAt - a.UpdatedAt);
  return { types: perType.map((t) => t.counts), objects, more: perType.some((t) => t.latest.more) };
}
