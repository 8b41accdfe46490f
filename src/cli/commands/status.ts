import {
  DescribeFlowCommand,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
} from "@aws-sdk/client-appflow";
import {
  GetWorkflowCommand,
  type GetWorkflowResponse,
  GetWorkflowStepsCommand,
  ListIntegrationsCommand,
  ListWorkflowsCommand,
} from "@aws-sdk/client-customer-profiles";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { failureAdvice } from "../../flows/failure-advice.ts";
import { type ApiClients, type ApiFlags, apiClients } from "./integrate.ts";

const iso = (d: Date | undefined) => (d ? d.toISOString().replace(".000Z", "Z") : "-");

/** Writes the domain's integrations, workflows with their steps, and each visible flow's recent executions. */
export async function printStatus(
  api: ApiClients,
  domain: string,
  out: NodeJS.WritableStream,
  recent = 3,
): Promise<void> {
  const integrations =
    (await api.profiles.send(new ListIntegrationsCommand({ DomainName: domain }))).Items ?? [];
  out.write(`Integrations of ${domain}\n`);
  if (integrations.length === 0) out.write("  (none)\n");
  for (const i of integrations) {
    out.write(
      `  ${i.Uri}  → ${i.ObjectTypeName}${i.WorkflowId ? `  (from workflow ${i.WorkflowId})` : ""}\n`,
    );
  }
  const workflows = (await api.profiles.send(new ListWorkflowsCommand({ DomainName: domain }))).Items ?? [];
  out.write("Workflows\n");
  if (workflows.length === 0) out.write("  (none)\n");
  for (const w of workflows) {
    const wf = await api.profiles.send(
      new GetWorkflowCommand({ DomainName: domain, WorkflowId: w.WorkflowId! }),
    );
    const m = wf.Metrics?.AppflowIntegration;
    out.write(
      `  ${wf.WorkflowId}  ${wf.Status}  steps ${m?.StepsCompleted ?? 0}/${m?.TotalSteps ?? 0}  records ${m?.RecordsProcessed ?? 0}  started ${iso(wf.StartDate)}\n`,
    );
    if (wf.ErrorDescription) out.write(`    ${wf.ErrorDescription}\n`);
    let token: string | undefined;
    do {
      const page = await api.profiles.send(
        new GetWorkflowStepsCommand({
          DomainName: domain,
          WorkflowId: w.WorkflowId!,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const s of page.Items ?? []) {
        const a = s.AppflowIntegration!;
        out.write(
          `    ${(a.Status ?? "").padEnd(11)} [${a.BatchRecordsStartTime}, ${a.BatchRecordsEndTime})  ${a.RecordsProcessed} records  ${a.ExecutionMessage}\n`,
        );
      }
      token = page.NextToken;
    } while (token);
  }
  out.write("Recent executions\n");
  for (const i of integrations) {
    const flowName = /flow\/(.+)$/.exec(i.Uri ?? "")?.[1];
    if (!flowName) continue;
    const runs = await api.appflow.send(
      new DescribeFlowExecutionRecordsCommand({ flowName, maxResults: recent }),
    );
    for (const r of runs.flowExecutions ?? []) {
      out.write(
        `  ${flowName}  ${r.executionStatus}  ${iso(r.startedAt)}  ${r.executionResult?.recordsProcessed ?? 0} records  ${r.executionResult?.errorInfo?.executionMessage ?? ""}\n`,
      );
    }
    const last = (runs.flowExecutions ?? []).find((r) => r.executionStatus !== "InProgress");
    if (last?.executionStatus === "Error") await printFailure(api, flowName, last, out);
  }
}

/** Why a flow's last run failed and what to do about it. */
async function printFailure(
  api: ApiClients,
  flowName: string,
  run: ExecutionRecord,
  out: NodeJS.WritableStream,
): Promise<void> {
  const reason = run.executionResult?.errorInfo?.executionMessage || "no message was recorded";
  const flow = await api.appflow.send(new DescribeFlowCommand({ flowName }));
  const advice =
    failureAdvice(reason, flow.sourceFlowConfig?.connectorProfileName) ??
    `see the run: aws appflow describe-flow-execution-records --flow-name ${flowName}`;
  out.write(`  ${flowName}: the last run failed: ${reason}\n    what to do: ${advice}\n`);
}

/** Progress bars (steps done, records, records/s, ETA) for a domain's unfinished workflows until they end. */
export async function watchWorkflows(
  api: ApiClients,
  domain: string,
  pollMs = 2_000,
): Promise<GetWorkflowResponse[]> {
  const ids = ((await api.profiles.send(new ListWorkflowsCommand({ DomainName: domain }))).Items ?? [])
    .filter((w) => w.Status === "IN_PROGRESS" || w.Status === "NOT_STARTED")
    .map((w) => w.WorkflowId!);
  const bars = new cliProgress.MultiBar(
    {
      format:
        " {id} [{bar}] {value}/{total} steps | {records} records | {rate} rec/s | ETA {eta_formatted} | {status}",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  const tracked = new Map(
    ids.map((id) => [id, bars.create(1, 0, { id: id.slice(0, 8), records: 0, rate: 0, status: "" })]),
  );
  const done: GetWorkflowResponse[] = [];
  try {
    while (tracked.size > 0) {
      for (const [id, bar] of tracked) {
        const wf = await api.profiles.send(new GetWorkflowCommand({ DomainName: domain, WorkflowId: id }));
        const m = wf.Metrics?.AppflowIntegration;
        const records = m?.RecordsProcessed ?? 0;
        const seconds = Math.max(1, (Date.now() - started) / 1000);
        bar.setTotal(Math.max(1, m?.TotalSteps ?? 1));
        bar.update(m?.StepsCompleted ?? 0, {
          records,
          rate: Math.round(records / seconds),
          status: wf.Status,
        });
        if (wf.Status !== "IN_PROGRESS" && wf.Status !== "NOT_STARTED") {
          tracked.delete(id);
          done.push(wf);
        }
      }
      if (tracked.size > 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    bars.stop();
  }
  return done;
}

/** `profileflow status` (integrations, workflows and steps, recent executions) and `profileflow retry`. */
export function registerStatus(program: Command): void {
  const common = (c: Command) =>
    c
      .requiredOption("--domain <name>", "Customer Profiles domain")
      .option(
        "--endpoint <url>",
        "profileflow API endpoint (default $PROFILEFLOW_ENDPOINT or http://127.0.0.1:4590)",
      )
      .option("--region <region>", "region to sign for (default us-east-1)")
      .option(
        "-d, --data <dir>",
        "the server's data directory, for its credentials file (default ./.profileflow)",
      );
  const run = async (flags: ApiFlags, body: (api: ApiClients) => Promise<void>) => {
    const api = apiClients(flags);
    try {
      await body(api);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      api.close();
    }
  };
  common(
    program.command("status").description("integrations, workflows with their steps, and recent executions"),
  )
    .option("--watch", "show progress bars until every workflow has ended")
    .action(async (flags: ApiFlags & { domain: string; watch?: boolean }) =>
      run(flags, async (api) => {
        if (flags.watch) await watchWorkflows(api, flags.domain);
        await printStatus(api, flags.domain, process.stdout);
      }),
    );
  common(
    program
      .command("retry")
      .description("re-run the failed steps' windows of a workflow")
      .argument("<workflowId>"),
  ).action(async (workflowId: string, flags: ApiFlags & { domain: string }) =>
    run(flags, async (api) => {
      const r = await api.extension(
        "profile",
        `/domains/${encodeURIComponent(flags.domain)}/workflows/${workflowId}/retry`,
        {},
      );
      process.stdout.write(`${String(r["Message"])}\n`);
      for (const w of (r["Windows"] as { StartTime: number; EndTime: number }[]) ?? []) {
        process.stdout.write(
          `  [${new Date(w.StartTime * 1000).toISOString()}, ${new Date(w.EndTime * 1000).toISOString()})\n`,
        );
      }
    }),
  );
}
