import {
  type AppflowClient,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
} from "@aws-sdk/client-appflow";

// No import of the console's browser modules: the Node tests call these with the SDK's own client.

/** How many pages of 100 runs the counts read (2 000 runs); past them the counts say "≥". */
export const MAX_EXECUTION_PAGES = 20;

/** A flow's runs, newest first, following nextToken for at most `maxPages` pages. */
export async function flowExecutions(
  appflow: AppflowClient,
  flowName: string,
  maxPages = MAX_EXECUTION_PAGES,
): Promise<{ executions: ExecutionRecord[]; capped: boolean }> {
  const executions: ExecutionRecord[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const r = await appflow.send(
      new DescribeFlowExecutionRecordsCommand({
        flowName,
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    executions.push(...(r.flowExecutions ?? []));
    nextToken = r.nextToken;
    if (!nextToken) return { executions, capped: false };
  }
  return { executions, capped: true };
}

/** A count for the table: "1,234", "≥ 1,234" when it is a lower bound, "-" when unknown. */
export function formatCount(n: number | undefined, capped = false): string {
  if (n === undefined) return "-";
  return `${capped ? "≥ " : ""}${n.toLocaleString("en-US")}`;
}
