import {
  CreateConnectorProfileCommand,
  CreateFlowCommand,
  DescribeFlowCommand,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
  ListFlowsCommand,
  StartFlowCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateProfileCommand,
  ListIntegrationsCommand,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile, serviceNowUsersFlow } from "../helpers/servicenow-resources.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { waitFor } from "../helpers/wait-for.ts";
import {
  type ConsoleHarness,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  NARROW,
  screenshot,
  startConsole,
} from "./console-harness.ts";

/** The first sys_user of a sandbox, read through its Table API as any client would. */
async function firstUser(sb: ServiceNowSandbox): Promise<{ sys_id: string; email: string }> {
  const auth = Buffer.from(`${sb.credentials.username}:${sb.credentials.password}`).toString("base64");
  const res = await fetch(`${sb.url}/api/now/table/sys_user?sysparm_limit=20`, {
    headers: { authorization: `Basic ${auth}`, accept: "application/json" },
  });
  const body = (await res.json()) as { result: { sys_id: string; email: string }[] };
  const user = body.result.find((u) => u.email);
  if (!user) throw new Error("the sandbox has no sys_user with an email");
  return user;
}

describeConsole("Flow details and View objects (chromium)", () => {
  let h: ConsoleHarness;
  let sb: ServiceNowSandbox;
  const domain = "fd";

  const lastRun = (flowName: string) =>
    waitFor(
      async () => {
        const r = await h.server.appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName }));
        const e = r.flowExecutions?.[0];
        return e && e.executionStatus !== "InProgress" ? e : undefined;
      },
      { what: `the run of ${flowName} to finish` },
    );
  const integrate = async (flowName: string, connection: string, objectTypeName: string) => {
    const flow = serviceNowUsersFlow(flowName, connection, { domainName: domain, objectTypeName });
    const { flowArn } = await h.server.appflow.send(new CreateFlowCommand(flow));
    await h.server.profiles.send(
      new PutIntegrationCommand({ DomainName: domain, Uri: flowArn!, ObjectTypeName: objectTypeName }),
    );
    await h.server.appflow.send(new StartFlowCommand({ flowName }));
    return lastRun(flowName);
  };

  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 11, people: 5 });
    h = await startConsole("sqlite", { workers: true });
    const { profiles, appflow } = h.server;
    await profiles.send(new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 30 }));
    await appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
  });
  afterAll(async () => {
    await h?.close();
    await sb?.close();
  });

  it("shows a flow's dead-lettered records with their reason and what to do next", async () => {
    const { profiles } = h.server;
    // Employees only join people who exist: every user but one has no profile, so the run dead-letters them.
    await profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: domain,
        ObjectTypeName: "Employee",
        Description: "ServiceNow users who must already be known",
        AllowProfileCreation: false,
        Fields: {
          sys_id: { Source: "_source.sys_id", Target: "_profile.Attributes.serviceNowId" },
          email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
        },
        Keys: {
          _employeeId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["sys_id"] }],
          _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
        },
      }),
    );
    const known = await firstUser(sb);
    await profiles.send(
      new CreateProfileCommand({ DomainName: domain, EmailAddress: known.email, FirstName: "Known" }),
    );
    const run = await integrate("sn-employees", "sn", "Employee");
    expect(run.executionStatus).toBe("Successful");
    const res = await signedFetch(h.server.endpoint, {
      method: "GET",
      path: `/domains/${domain}/dead-letters`,
      credentials: h.server.credentials,
    });
    const dead = (
      (await res.json()) as {
        Items: { ProfileObjectUniqueKey: string; ReasonCode: string; Message: string }[];
      }
    ).Items;
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.map((d) => d.ProfileObjectUniqueKey)).not.toContain(known.sys_id);

    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/integrations/sn-employees/details`);
    await p.page.getByRole("heading", { name: "Flow details" }).waitFor();
    // The run: its records processed, in the executions table.
    const execRow = p.page.getByRole("row").filter({ hasText: run.executionId! });
    await execRow.waitFor();
    expect(await execRow.textContent()).toContain(String(run.executionResult?.recordsProcessed));
    // Each failed record with the API's reason and what to do next.
    const failed = p.page.getByRole("row").filter({ hasText: dead[0]!.ProfileObjectUniqueKey });
    await failed.waitFor();
    const text = await failed.textContent();
    expect(text).toContain(dead[0]!.ReasonCode);
    expect(text).toContain(dead[0]!.Message);
    expect(text).toContain("What to do next");
    expect(await p.page.getByRole("heading", { name: /Failed records/ }).textContent()).toContain(
      `(${dead.length})`,
    );
    // Re-establish opens the wizard prefilled with the source and the connection.
    const again = new URL(
      (await p.page.getByRole("link", { name: "Re-establish" }).getAttribute("href"))!,
      h.server.endpoint,
    );
    expect(again.pathname).toBe(`/console/domains/${domain}/integrations/new`);
    expect(Object.fromEntries(again.searchParams)).toMatchObject({
      source: "Servicenow",
      connection: "sn",
      object: "sys_user",
      objectType: "Employee",
    });
    await expectAccessible(p, "flow details with failed records");
    await screenshot(p, "flow-details");
    expectCleanConsole(p);
  });

  it("shows the vendor's reason when the source rejects the connection's credentials, and what to do", async () => {
    // The connection was made with the password of the day; then the vendor's password changed.
    const old = await startServiceNowSandbox({ seed: 12, people: 3, password: "before-rotation" });
    const port = Number(new URL(old.url).port);
    await h.server.appflow.send(
      new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn-rotated", old)),
    );
    await old.close();
    const rotated = await startServiceNowSandbox({ seed: 12, people: 3, password: "after-rotation", port });
    let run: ExecutionRecord;
    try {
      await h.server.profiles.send(
        new PutProfileObjectTypeCommand({
          DomainName: domain,
          ObjectTypeName: "Servicenow-sys_user",
          TemplateId: "Servicenow-sys_user",
          Description: "ServiceNow users",
        }),
      );
      run = await integrate("sn-rotated-users", "sn-rotated", "Servicenow-sys_user");
    } finally {
      await rotated.close();
    }
    expect(run.executionStatus).toBe("Error");
    const reason = run.executionResult?.errorInfo?.executionMessage ?? "";
    expect(reason).toMatch(/^The source rejected the credentials/);

    for (const viewport of [undefined, NARROW]) {
      const p = await h.newPage(viewport);
      await h.signIn(p);
      await p.page.goto(`${h.url}domains/${domain}/integrations/sn-rotated-users/details`);
      const alert = p.page.getByText("The last run failed");
      await alert.waitFor();
      await p.page.getByText(reason, { exact: true }).first().waitFor();
      await p.page
        .getByText(/Update the connection: the source rejected its credentials/)
        .first()
        .waitFor();
      expect(await p.page.getByText(/--connector-profile-name sn-rotated/).count()).toBeGreaterThan(0);
      await expectAccessible(p, "flow details of a failed run");
      await screenshot(p, "flow-details-bad-credentials");
      expectCleanConsole(p);
    }
  });

  it("View objects: counts per object type and the latest objects, each linked to its profile", async () => {
    await h.server.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: domain,
        ObjectTypeName: "Servicenow-sys_user",
        TemplateId: "Servicenow-sys_user",
        Description: "ServiceNow users",
      }),
    );
    const run = await integrate("sn-users", "sn", "Servicenow-sys_user");
    expect(run.executionStatus).toBe("Successful");
    const processed = run.executionResult?.recordsProcessed ?? 0;
    expect(processed).toBeGreaterThan(0);

    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/integrations/sn-users/objects`);
    const counts = p.page.getByRole("row").filter({ hasText: "sys_user" }).first();
    await counts.waitFor();
    const cells = await counts.locator("td, th").allInnerTexts();
    expect(cells[0]).toBe("Servicenow-sys_user");
    expect(cells[3]).toBe(String(processed));
    // Every user the run sent is stored and listed with the profile it joined.
    const links = p.page.getByRole("link", { name: /^[a-f0-9]{32}$/ });
    await links.first().waitFor();
    expect(await links.count()).toBe(processed);
    await expectAccessible(p, "view objects");
    await screenshot(p, "view-objects");
    const profileId = await links.first().textContent();
    await links.first().click();
    await p.page.waitForURL(`**/console/domains/${domain}/profiles/${profileId}`);
    await p.page.getByRole("heading", { name: "Objects" }).waitFor();
    await p.page.getByRole("row").filter({ hasText: "Servicenow-sys_user" }).first().waitFor();
    expectCleanConsole(p);
  });

  it("Run now starts a run that appears in the executions; Delete integration asks, then removes it and its flow", async () => {
    const before = await h.server.appflow.send(
      new DescribeFlowExecutionRecordsCommand({ flowName: "sn-users" }),
    );
    const runs = before.flowExecutions?.length ?? 0;
    const p = await h.newPage(NARROW);
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/integrations/sn-users/details`);
    await p.page.getByRole("heading", { name: `Executions (${runs})` }).waitFor();
    await p.page.getByRole("button", { name: "Run now" }).click();
    await p.page.getByText(/Flow sn-users started \(execution /).waitFor();
    await waitFor(
      async () => {
        const r = await h.server.appflow.send(
          new DescribeFlowExecutionRecordsCommand({ flowName: "sn-users" }),
        );
        return (
          (r.flowExecutions?.length ?? 0) > runs && r.flowExecutions?.[0]?.executionStatus !== "InProgress"
        );
      },
      { what: "the run started from the console to finish" },
    );
    await p.page.getByRole("button", { name: "Refresh flow details" }).click();
    await p.page.getByRole("heading", { name: `Executions (${runs + 1})` }).waitFor();

    await p.page.getByRole("button", { name: "Delete integration" }).click();
    const dialog = p.page.getByRole("dialog");
    await dialog.getByText("the objects and profiles it ingested stay").waitFor();
    await expectAccessible(p, "the Delete integration dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    const still = await h.server.profiles.send(new ListIntegrationsCommand({ DomainName: domain }));
    expect(still.Items?.some((i) => i.Uri?.endsWith("flow/sn-users"))).toBe(true);
    await p.page.getByRole("button", { name: "Delete integration" }).click();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await p.page.getByText("Integration sn-users deleted.").waitFor();
    expect(new URL(p.page.url()).pathname).toBe("/console/configuration");
    expect(new URL(p.page.url()).searchParams.get("domain")).toBe(domain);
    const after = await h.server.profiles.send(new ListIntegrationsCommand({ DomainName: domain }));
    expect(after.Items?.some((i) => i.Uri?.endsWith("flow/sn-users"))).toBe(false);
    const flows = await h.server.appflow.send(new ListFlowsCommand({}));
    expect(flows.flows?.map((f) => f.flowName)).not.toContain("sn-users");
    expectCleanConsole(p);
  });

  it("a flow that does not exist: the API's message, and no actions, advice or empty tables", async () => {
    const p = await h.newPage();
    // DescribeFlow and DescribeFlowExecutionRecords of a missing flow are refused (404): those calls only.
    p.allow(
      /Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http:\/\/[^/]+\/describe-flow(-execution-records)?\)/,
    );
    const expected = await h.server.appflow.send(new DescribeFlowCommand({ flowName: "nosuchflow" })).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(expected).not.toBe("");
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/${domain}/integrations/nosuchflow/details`);
    await p.page.getByText("Flow nosuchflow could not be loaded").waitFor();
    await p.page.getByText(expected).first().waitFor();
    await p.page.getByRole("link", { name: "Customer profiles configuration" }).last().waitFor();
    for (const name of ["View objects", "Re-establish", "Run now", "Delete integration"])
      expect(await p.page.getByRole("button", { name }).count(), name).toBe(0);
    expect(await p.page.getByRole("link", { name: /View objects|Re-establish/ }).count()).toBe(0);
    expect(await p.page.getByText("The flow has not run yet").count()).toBe(0);
    expect(await p.page.getByRole("table").count()).toBe(0);
    await expectAccessible(p, "a missing flow");
    expectCleanConsole(p);
  });
});
