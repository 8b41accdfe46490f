import { randomUUID } from "node:crypto";
import { CreateConnectorProfileCommand, CreateFlowCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { flowExecutions, formatCount } from "../../console/src/pages/configuration/flow-executions.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile, serviceNowUsersFlow } from "../helpers/servicenow-resources.ts";
import {
  type ConsoleHarness,
  describeConsole,
  expectCleanConsole,
  STARTUP_MS,
  startConsole,
} from "./console-harness.ts";

/** More runs than one DescribeFlowExecutionRecords page (100): the counts must follow nextToken. */
const RUNS = 230;

describeConsole("integration counts over every page of runs (chromium)", () => {
  let h: ConsoleHarness;
  let sb: ServiceNowSandbox;
  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 3, people: 2 });
    h = await startConsole("sqlite", { workers: false });
    const { profiles, appflow } = h.server;
    await profiles.send(new CreateDomainCommand({ DomainName: "many-runs", DefaultExpirationDays: 30 }));
    await profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "many-runs",
        ObjectTypeName: "Servicenow-sys_user",
        TemplateId: "Servicenow-sys_user",
        Description: "ServiceNow users",
      }),
    );
    await appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
    const { flowArn } = await appflow.send(
      new CreateFlowCommand(
        serviceNowUsersFlow("busy", "sn", { domainName: "many-runs", objectTypeName: "Servicenow-sys_user" }),
      ),
    );
    await profiles.send(
      new PutIntegrationCommand({
        DomainName: "many-runs",
        Uri: flowArn!,
        ObjectTypeName: "Servicenow-sys_user",
      }),
    );
    // A long history of finished runs (each 3 records, 1 put failure): written as the engine's rows,
    // since running the flow 230 times would take minutes.
    const now = Date.now();
    const rows = Array.from({ length: RUNS }, (_, i) => ({
      execution_id: randomUUID(),
      flow_name: "busy",
      flow_arn: flowArn!,
      status: "Successful" as const,
      active_flow: null,
      trigger_kind: "Scheduled" as const,
      pull_mode: "Incremental" as const,
      window_from: null,
      window_to: null,
      since_checkpoint: null,
      checkpoint: null,
      read_done: 1,
      started_at: now - (RUNS - i) * 60_000,
      last_updated_at: now - (RUNS - i) * 60_000 + 1000,
      finished_at: now - (RUNS - i) * 60_000 + 1000,
      records_processed: 3,
      bytes_processed: 300,
      bytes_written: 300,
      put_failures_count: 1,
      records_dropped: 0,
      deletions_processed: 0,
      execution_message: "Successful",
      attempt: 0,
      lease_owner: null,
      lease_expires_at: 0,
    }));
    await h.server.server.database.db.insertInto("flow_executions").values(rows).execute();
  }, STARTUP_MS);
  afterAll(async () => {
    await h?.close();
    await sb?.close();
  }, STARTUP_MS);

  it("reads runs past the first page, and says when it stopped at its cap", async () => {
    const all = await flowExecutions(h.server.appflow, "busy");
    expect(all).toMatchObject({ capped: false });
    expect(all.executions).toHaveLength(RUNS);
    const capped = await flowExecutions(h.server.appflow, "busy", 2);
    expect(capped.capped).toBe(true);
    expect(capped.executions).toHaveLength(200);
    expect(formatCount(600, true)).toBe("≥ 600");
    expect(formatCount(690)).toBe("690");
  });

  it("the integrations table sums records and errors over all the flow's runs", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}configuration?domain=many-runs`);
    const row = p.page.getByRole("row").filter({ hasText: "busy" });
    await row.waitFor();
    const cells = await row.locator("td, th").allInnerTexts();
    expect(cells[6]).toBe((RUNS * 3).toLocaleString("en-US"));
    expect(cells[7]).toBe(String(RUNS));
    expectCleanConsole(p);
  });
});
