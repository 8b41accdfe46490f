import { randomUUID } from "node:crypto";
import {
  CreateConnectorProfileCommand,
  DescribeFlowCommand,
  DescribeFlowExecutionRecordsCommand,
} from "@aws-sdk/client-appflow";
import { CreateDomainCommand, PutProfileObjectTypeCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { waitFor } from "../helpers/wait-for.ts";
import {
  type ConsoleHarness,
  type ConsolePage,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  STARTUP_MS,
  startConsole,
} from "./console-harness.ts";

/** More than one page (100) of connections: the wizard must list them all. */
const MANY = 104;
/** A domain holds at most 100 object types (one page): the last of them must be offered too. */
const TYPES = 100;
const pad = (i: number) => String(i).padStart(3, "0");
const next = (p: ConsolePage) => p.page.getByRole("button", { name: "Next", exact: true }).click();
const stepParam = (p: ConsolePage) => new URL(p.page.url()).searchParams.get("step");

describeConsole("Add integration: every page of the lists, steps in the URL (chromium)", () => {
  let h: ConsoleHarness;
  let sb: ServiceNowSandbox;
  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 5, people: 4, historyDays: 20 });
    h = await startConsole("sqlite", { workers: true });
    const { profiles, appflow } = h.server;
    await profiles.send(new CreateDomainCommand({ DomainName: "lists", DefaultExpirationDays: 30 }));
    for (let i = 0; i <= MANY; i++) {
      await appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile(`conn-${pad(i)}`, sb)));
    }
    for (let i = 0; i < TYPES; i++) {
      await profiles.send(
        new PutProfileObjectTypeCommand({
          DomainName: "lists",
          ObjectTypeName: `Type-${pad(i)}`,
          Description: `object type ${i}`,
          Fields: { id: { Source: "_source.sys_id", Target: "_profile.Attributes.id" } },
          Keys: { _id: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["id"] }] },
        }),
      );
    }
  }, STARTUP_MS);
  afterAll(async () => {
    await h?.close();
    await sb?.close();
  }, STARTUP_MS);

  it("offers connections and object types past the first page; the progress tables page and filter", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/lists/integrations/new`);
    await p.page.getByRole("radio", { name: /ServiceNow/ }).check();
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await next(p);
    expect(stepParam(p)).toBe("2");
    await p.page.getByRole("radio", { name: /Use existing connection/ }).check();
    await p.page.getByRole("button", { name: /^Connection/ }).click();
    await p.page.getByPlaceholder("Find a connection").fill(`conn-${pad(MANY)}`);
    await p.page.getByRole("option", { name: new RegExp(`conn-${pad(MANY)}`) }).click();
    await p.page.getByRole("button", { name: "Test connection" }).click();
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    await next(p);
    expect(stepParam(p)).toBe("3");

    await p.page.getByRole("row").filter({ hasText: "Servicenow-task" }).waitFor();
    await p.page.getByRole("checkbox", { name: "Ingest task" }).uncheck();
    await p.page.getByRole("checkbox", { name: "Ingest incident" }).uncheck();
    await p.page.getByRole("button", { name: /Object type for sys_user/ }).click();
    await p.page.getByPlaceholder("Find an object type").fill(`Type-${pad(TYPES - 1)}`);
    await p.page.getByRole("option", { name: `Type-${pad(TYPES - 1)}` }).waitFor();
    await p.page.keyboard.press("Escape");

    // Back and Forward of the browser move between the steps, the choices kept.
    await p.page.goBack();
    await p.page.getByRole("button", { name: "Test connection" }).waitFor();
    expect(stepParam(p)).toBe("2");
    await p.page.goForward();
    await p.page.getByRole("row").filter({ hasText: "Servicenow-sys_user" }).waitFor();
    expect(await p.page.getByRole("checkbox", { name: "Ingest task" }).isChecked()).toBe(false);
    await next(p);
    await next(p);
    expect(stepParam(p)).toBe("5");
    await p.page.getByRole("button", { name: "Create integration" }).click();
    const flow = "lists-ServiceNow-sys_user";
    const heading = p.page.getByRole("heading", { name: new RegExp(flow) });
    await heading.waitFor();
    await waitFor(
      async () => {
        const r = await h.server.appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName: flow }));
        const e = r.flowExecutions?.[0];
        return e && e.executionStatus !== "InProgress" ? e : undefined;
      },
      { what: `the first run of ${flow}`, timeoutMs: 60_000 },
    );
    // A long history (written as the engine writes runs): 24 more, one of them failed with a marker.
    const { flowArn } = await h.server.appflow.send(new DescribeFlowCommand({ flowName: flow }));
    const now = Date.now();
    await h.server.server.database.db
      .insertInto("flow_executions")
      .values(
        Array.from({ length: 24 }, (_, i) => ({
          execution_id: randomUUID(),
          flow_name: flow,
          flow_arn: flowArn!,
          status: i === 5 ? ("Error" as const) : ("Successful" as const),
          active_flow: null,
          trigger_kind: "Scheduled" as const,
          pull_mode: "Incremental" as const,
          window_from: null,
          window_to: null,
          since_checkpoint: null,
          checkpoint: null,
          read_done: 1,
          started_at: now - (i + 1) * 3_600_000,
          last_updated_at: now - (i + 1) * 3_600_000 + 1000,
          finished_at: now - (i + 1) * 3_600_000 + 1000,
          records_processed: 1,
          bytes_processed: 1,
          bytes_written: 1,
          put_failures_count: 0,
          records_dropped: 0,
          deletions_processed: 0,
          execution_message: i === 5 ? "needle: the source refused the request" : "Successful",
          attempt: 0,
          lease_owner: null,
          lease_expires_at: 0,
        })),
      )
      .execute();
    const progress = heading.locator("xpath=ancestor::*[.//table][1]");
    await p.page.getByRole("button", { name: `Refresh executions of ${flow}` }).click();
    await progress
      .getByRole("heading", { name: /Executions/ })
      .getByText("(25)")
      .waitFor();
    expect(await progress.locator("tbody tr").count()).toBe(10);
    await progress.getByRole("button", { name: "Page 3" }).click();
    await waitFor(async () => (await progress.locator("tbody tr").count()) === 5, {
      what: "the last page of executions",
    });
    await progress.getByRole("searchbox", { name: "Filter executions" }).fill("needle");
    await progress.getByText("1 matches").first().waitFor();
    await progress.getByRole("row").filter({ hasText: "needle: the source refused the request" }).waitFor();
    await expectAccessible(p, "integration progress with paginated executions");
    expectCleanConsole(p);
  }, 150_000);

  it("a reload on a later step, whose choices are lost, goes back to the first step lacking them and says so", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/lists/integrations/new?step=3`);
    await p.page
      .getByText(
        "Step 3 (Integration options) needs what the earlier steps collect, and the wizard's choices are not kept across a reload or a link: continue from step 1, Select source.",
      )
      .waitFor();
    await p.page.getByRole("radio", { name: /ServiceNow/ }).waitFor();
    expect(stepParam(p)).toBeNull();
    // A link to step 1 itself, or a step number that is not one, shows step 1 without a message.
    await p.page.goto(`${h.url}domains/lists/integrations/new?step=9`);
    await p.page.getByRole("radio", { name: /ServiceNow/ }).waitFor();
    expect(await p.page.getByText("Choices lost").count()).toBe(0);
    expectCleanConsole(p);
  });
});
