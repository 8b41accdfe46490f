import { CreateIntegrationWorkflowCommand, PutIntegrationCommand } from "@aws-sdk/client-customer-profiles";
import type { ApiClients } from "./api-clients.ts";
import type { IntegrateFlags, IntegrateResult, SOURCES, SourceName } from "./integrate-options.ts";
import type { ObjectPlan } from "./integration-plan.ts";
import { flowDefinition } from "./integration-plan.ts";
import type { Prompter } from "./prompter.ts";
import { createWorkflowRole, type RoleChoice } from "./workflow-role.ts";

/** Everything decided before the review. */
export interface IntegrationChoices {
  domain: string;
  source: (typeof SOURCES)[SourceName];
  connection: string;
  plan: readonly ObjectPlan[];
  start: number;
  /** More than BULK_THRESHOLD_DAYS back on a source with bulk history: one workflow per object. */
  bulk: boolean;
  /** The bulk workflow's role: given, or created once the review is confirmed. */
  role: RoleChoice | undefined;
  kmsArn: string;
  /** The domain's key: a role created here may use only it. */
  domainKeyArn: string;
}

/**
 * The seed's step 5: tests the connection, shows the review, asks to go on (in a terminal), then creates
 * one workflow (bulk) or one integration per object.
 */
export async function reviewAndCreate(
  api: ApiClients,
  c: IntegrationChoices,
  f: IntegrateFlags,
  out: NodeJS.WritableStream,
  prompter?: Prompter,
): Promise<IntegrateResult> {
  const { domain, source, connection, plan, start, bulk } = c;
  const tested = await api.extension("appflow", "/test-connector-profile", {
    connectorProfileName: connection,
  });
  out.write(
    [
      "Review",
      `  domain:            ${domain}`,
      `  source:            ${source.type}`,
      `  connection:        ${connection} (${String(tested["connectionStatus"])}${tested["message"] ? `: ${String(tested["message"])}` : ""})`,
      ...plan.map((p) => `  object:            ${p.object} → ${p.objectType}`),
      ...(c.role
        ? [
            `  role:              ${c.role.kind === "existing" ? c.role.arn : `${c.role.name} (new: trusts profile.amazonaws.com, least privilege for ${domain})`}`,
          ]
        : []),
      `  ingestion start:   ${new Date(start).toISOString()}${bulk ? " (bulk workflow, 2-month batches, then continuous)" : ""}`,
      "",
    ].join("\n"),
  );
  if (tested["connectionStatus"] !== "Connected")
    throw new Error(`Connection ${connection} is not Connected.`);
  if (prompter && !f.yes && !(await prompter.confirm("Create integration")))
    throw new Error("Stopped before creating anything.");

  const result: IntegrateResult = { integrations: [], workflows: [] };
  const roleArn =
    c.role?.kind === "create"
      ? await createWorkflowRole(api, { name: c.role.name, domain, keyArn: c.domainKeyArn }, out)
      : c.role?.arn;
  for (const p of plan) {
    const flow = flowDefinition({
      domain,
      source,
      connection,
      kmsArn: c.kmsArn,
      start,
      schedule: f.schedule ?? "rate(1hours)",
      ...p,
    });
    if (bulk) {
      const r = await api.profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: domain,
          WorkflowType: "APPFLOW_INTEGRATION",
          ObjectTypeName: p.objectType,
          RoleArn: roleArn!,
          IntegrationConfig: { AppflowIntegration: { FlowDefinition: flow } },
        }),
      );
      result.workflows.push(r.WorkflowId!);
      out.write(`workflow ${r.WorkflowId} for ${p.object}: ${r.Message}\n`);
    } else {
      const r = await api.profiles.send(
        new PutIntegrationCommand({ DomainName: domain, ObjectTypeName: p.objectType, FlowDefinition: flow }),
      );
      result.integrations.push(r.Uri!);
      out.write(`integration ${r.Uri} for ${p.object}\n`);
    }
  }
  return result;
}
