import {
  CreateConnectorProfileCommand,
  DescribeFlowCommand,
  DescribeFlowExecutionRecordsCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  GetDomainCommand,
  GetProfileObjectTypeCommand,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
  ListIntegrationsCommand,
  ListWorkflowsCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, expect, it } from "vitest";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { startZendeskSandbox, type ZendeskSandbox } from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { fillWorkflowRolePolicy } from "../../src/security/iam/workflow-role-policy.ts";
import { liveServiceNowUsers, serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { waitFor } from "../helpers/wait-for.ts";
import {
  type ConsoleHarness,
  type ConsolePage,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  followSideNavigation,
  NARROW,
  screenshot,
  startConsole,
} from "./console-harness.ts";

const DAY = 86_400_000;

/** Opens the wizard on `domain`, chooses ServiceNow and checks the requirements box. */
async function selectServiceNow(h: ConsoleHarness, p: ConsolePage, domain: string): Promise<void> {
  await h.signIn(p);
  await p.page.goto(`${h.url}domains/${domain}/integrations/new`);
  await p.page.getByRole("heading", { name: "Select source" }).first().waitFor();
  await p.page.getByRole("radio", { name: /ServiceNow/ }).check();
  await p.page.getByText("ServiceNow integration requirements").waitFor();
}

/** From the Select source page through an existing ServiceNow connection, tested live, to the object table. */
async function existingServiceNowConnection(
  h: ConsoleHarness,
  p: ConsolePage,
  domain: string,
  connection: string,
): Promise<void> {
  await selectServiceNow(h, p, domain);
  await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
  await next(p);
  await p.page.getByRole("radio", { name: /Use existing connection/ }).check();
  await p.page.getByRole("button", { name: /^Connection/ }).click();
  await p.page.getByRole("option", { name: new RegExp(connection) }).click();
  await p.page.getByRole("button", { name: "Test connection" }).click();
  await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
  await next(p);
  await p.page.getByRole("row").filter({ hasText: "Servicenow-task" }).waitFor();
}

/** Fills the new connection's fields and runs the live test. */
async function newConnection(p: ConsolePage, name: string, url: string, user: string, password: string) {
  await p.page.getByLabel("Connection name").fill(name);
  await p.page.getByLabel("Instance URL").fill(url);
  await p.page.getByLabel("User name").fill(user);
  await p.page.getByLabel("Password").fill(password);
  await p.page.getByRole("button", { name: "Create and test connection" }).click();
}

const next = (p: ConsolePage) => p.page.getByRole("button", { name: "Next", exact: true }).click();

describeConsole("Add integration wizard (chromium)", () => {
  let h: ConsoleHarness;
  let sb: ServiceNowSandbox;
  let sf: SalesforceSandbox;
  let zd: ZendeskSandbox;
  let mk: MarketoSandbox;
  beforeAll(async () => {
    mk = await startMarketoSandbox({ seed: 11, people: 12, historyDays: 20 });
    zd = await startZendeskSandbox({ seed: 11, people: 12, historyDays: 20 });
    sf = await startSalesforceSandbox({ seed: 11, people: 12, historyDays: 20 });
    // A small population whose history lies inside the default 30 days back.
    sb = await startServiceNowSandbox({ seed: 11, people: 12, historyDays: 20 });
    h = await startConsole("sqlite", { workers: true });
    for (const d of ["wiz", "wiz-bad", "wiz-bulk", "wiz-map", "wiz-rows", "wiz-sf", "wiz-zd", "wiz-mk"])
      await h.server.profiles.send(new CreateDomainCommand({ DomainName: d, DefaultExpirationDays: 30 }));
  });
  afterAll(async () => {
    await h?.close();
    await sb?.close();
    await sf?.close();
    await zd?.close();
    await mk?.close();
  });

  it("walks the whole wizard against the ServiceNow sandbox to a created integration and its profiles", async () => {
    const p = await h.newPage();
    await selectServiceNow(h, p, "wiz");
    // The checkbox is required to go on.
    await next(p);
    await p.page
      .getByText("Read the integration requirements and check the box to go on.", { exact: true })
      .waitFor();
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await expectAccessible(p, "Select source");
    await screenshot(p, "add-integration-1-select-source");
    await next(p);

    await p.page.getByRole("radio", { name: /Create new connection/ }).check();
    await newConnection(p, "sn-wizard", sb.url, sb.credentials.username, sb.credentials.password);
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    await expectAccessible(p, "Establish connection");
    await screenshot(p, "add-integration-2-establish-connection");
    await next(p);

    // The vendor's objects, each with its template by default.
    for (const o of ["sys_user", "task", "incident"])
      await p.page
        .getByRole("row")
        .filter({ hasText: `Servicenow-${o}` })
        .waitFor();
    await expectAccessible(p, "Integration options");
    await screenshot(p, "add-integration-3-integration-options");
    await next(p);

    await p.page.getByText("30 days back").waitFor();
    // The default start date itself: 30 days before today (UTC), as the date field shows it.
    const thirtyBack = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10).replaceAll("-", "/");
    expect(await p.page.getByPlaceholder("YYYY/MM/DD").inputValue()).toBe(thirtyBack);
    expect(await p.page.getByText("Bulk ingestion of data").count()).toBe(0);
    await expectAccessible(p, "Ingestion start date");
    await screenshot(p, "add-integration-4-ingestion-start-date");
    await next(p);

    const review = p.page.getByText("Connection status").locator("xpath=../..");
    await review.getByText("Connected", { exact: true }).waitFor();
    await p.page.getByText("Servicenow-sys_user (default template)").waitFor();
    await expectAccessible(p, "Review and integrate");
    await screenshot(p, "add-integration-5-review-and-integrate");
    await p.page.getByRole("button", { name: "Create integration" }).click();

    await p.page.getByRole("heading", { name: "Integration progress" }).waitFor();
    const flow = "wiz-ServiceNow-sys_user";
    await p.page.getByRole("heading", { name: new RegExp(flow) }).waitFor();
    const listed =
      (await h.server.profiles.send(new ListIntegrationsCommand({ DomainName: "wiz" }))).Items ?? [];
    expect(listed.map((i) => i.ObjectTypeName).sort()).toEqual([
      "Servicenow-incident",
      "Servicenow-sys_user",
      "Servicenow-task",
    ]);
    // A person of the sandbox becomes a profile once the first run has ingested sys_user.
    const someone = [...(await liveServiceNowUsers(sb))][0]!;
    const found = await waitFor(
      async () => {
        const r = await h.server.profiles.send(
          new SearchProfilesCommand({ DomainName: "wiz", KeyName: "_serviceNowSystemId", Values: [someone] }),
        );
        return (r.Items ?? []).length > 0 ? r.Items : undefined;
      },
      { what: `a profile for ServiceNow user ${someone}`, timeoutMs: 60_000 },
    );
    expect(found).toHaveLength(1);
    const person = found![0]!;
    const personName = [person.FirstName, person.LastName].filter(Boolean).join(" ");
    expect(personName).not.toBe("");
    // The progress page shows the run with its records, and links to Flow details and View objects.
    const progress = p.page
      .getByRole("heading", { name: new RegExp(flow) })
      .locator("xpath=ancestor::*[.//table][1]");
    await progress.getByText("Successful").first().waitFor({ timeout: 60_000 });
    await expectAccessible(p, "Integration progress");
    await screenshot(p, "add-integration-6-progress");
    await progress.getByRole("link", { name: "Flow details" }).click();
    expect(new URL(p.page.url()).pathname).toBe(`/console/domains/wiz/integrations/${flow}/details`);
    await p.page.getByRole("heading", { name: "Flow details", level: 1 }).waitFor();
    // The person, found on the Profiles page by the ServiceNow key, opens as a profile holding the user.
    await followSideNavigation(p, "Profiles");
    await p.page.waitForURL("**/console/domains/wiz/profiles");
    await p.page.getByRole("combobox", { name: "Key" }).fill("_serviceNowSystemId");
    await p.page.getByRole("searchbox", { name: "Value" }).fill(someone);
    await p.page.getByRole("button", { name: "Search", exact: true }).click();
    const result = p.page.getByRole("row").filter({ hasText: person.ProfileId! });
    await result.getByRole("link", { name: personName }).click();
    await p.page.waitForURL(`**/console/domains/wiz/profiles/${person.ProfileId}`);
    await p.page.getByRole("heading", { name: personName }).waitFor();
    await p.page
      .getByRole("row")
      .filter({ hasText: "Servicenow-sys_user" })
      .filter({ hasText: someone })
      .first()
      .waitFor();
    expectCleanConsole(p);
  });

  it("a bad credential at Establish connection shows ServiceNow's reason and does not go on (390 px)", async () => {
    const p = await h.newPage(NARROW);
    // What the API answers the same wrong password, through the SDK: its message and HTTP status.
    const refusal = await h.server.appflow
      .send(
        new CreateConnectorProfileCommand(
          serviceNowConnectorProfile("sn-probe", {
            url: sb.url,
            credentials: { ...sb.credentials, password: "wrong" },
          }),
        ),
      )
      .then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
    expect(refusal).toBeDefined();
    const expected = refusal!.message;
    const status = refusal!.$metadata?.httpStatusCode;
    expect(status).toBeGreaterThanOrEqual(400);
    // The browser prints exactly that refusal of CreateConnectorProfile, nothing else.
    p.allow(
      new RegExp(
        `Failed to load resource: the server responded with a status of ${status} \\([^)]*\\) \\(http://[^/]+/create-connector-profile\\)$`,
      ),
    );
    await selectServiceNow(h, p, "wiz-bad");
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await next(p);
    await newConnection(p, "sn-bad", sb.url, sb.credentials.username, "wrong");
    await p.page.getByRole("status").getByText(expected).waitFor();
    await expectAccessible(p, "a failed connection test");
    await screenshot(p, "add-integration-bad-credential");
    // Next is refused until the connection says Connected.
    await next(p);
    await p.page
      .getByText("The connection test failed: correct the connection and test it again.", { exact: true })
      .waitFor();
    expect(await p.page.getByRole("heading", { name: "Source objects" }).count()).toBe(0);
    expectCleanConsole(p);
  });

  it("more than 60 days back creates a bulk workflow in 2-month batches with a new least-privilege role", async () => {
    const p = await h.newPage();
    await selectServiceNow(h, p, "wiz-bulk");
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await next(p);
    await newConnection(p, "sn-bulk", sb.url, sb.credentials.username, sb.credentials.password);
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    await next(p);
    // Only sys_user.
    await p.page.getByRole("row").filter({ hasText: "Servicenow-task" }).waitFor();
    await p.page.getByRole("checkbox", { name: "Ingest task" }).uncheck();
    await p.page.getByRole("checkbox", { name: "Ingest incident" }).uncheck();
    await next(p);

    const start = new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10);
    await p.page.getByPlaceholder("YYYY/MM/DD").fill(start.replaceAll("-", "/"));
    await p.page.getByText("Bulk ingestion of data").waitFor();
    await p.page.getByText("2-month batches").first().waitFor();
    await p.page.getByText("up to three times").waitFor();
    expect(await p.page.getByLabel("Role name").inputValue()).toBe("CustomerProfilesWorkflow-wiz-bulk");
    await expectAccessible(p, "Ingestion start date, bulk");
    await screenshot(p, "add-integration-4-ingestion-start-date-bulk");
    await next(p);
    await p.page.getByText(/CustomerProfilesWorkflow-wiz-bulk \(new/).waitFor();
    await p.page.getByRole("button", { name: "Create integration" }).click();
    await p.page.getByRole("heading", { name: "Integration progress" }).waitFor();

    const wfs =
      (await h.server.profiles.send(new ListWorkflowsCommand({ DomainName: "wiz-bulk" }))).Items ?? [];
    expect(wfs).toHaveLength(1);
    const id = wfs[0]!.WorkflowId!;
    const roleArn = "arn:aws:iam::000000000000:role/CustomerProfilesWorkflow-wiz-bulk";
    const wf = await h.server.profiles.send(
      new GetWorkflowCommand({ DomainName: "wiz-bulk", WorkflowId: id }),
    );
    expect(wf.Attributes?.AppflowIntegration?.RoleArn).toBe(roleArn);
    const steps = await h.server.profiles.send(
      new GetWorkflowStepsCommand({ DomainName: "wiz-bulk", WorkflowId: id }),
    );
    const firstFrom = Date.parse(steps.Items![0]!.AppflowIntegration!.BatchRecordsStartTime!);
    expect(new Date(firstFrom).toISOString().slice(0, 10)).toBe(start);
    expect(steps.Items).toHaveLength(planBatches(firstFrom, Date.now()).length);
    expect(steps.Items!.length).toBeGreaterThanOrEqual(4);
    // The role: trusted by profile.amazonaws.com, the seed's policy for this domain's key and the region.
    const iam = new IAMClient({
      endpoint: h.server.endpoint,
      region: "us-east-1",
      credentials: h.server.credentials,
    });
    try {
      const role = await iam.send(new GetRoleCommand({ RoleName: "CustomerProfilesWorkflow-wiz-bulk" }));
      expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      const policy = await iam.send(
        new GetRolePolicyCommand({
          RoleName: "CustomerProfilesWorkflow-wiz-bulk",
          PolicyName: "CustomerProfilesWorkflowLeastPrivilege",
        }),
      );
      const key = (await h.server.profiles.send(new GetDomainCommand({ DomainName: "wiz-bulk" })))
        .DefaultEncryptionKey;
      expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(
        JSON.parse(
          fillWorkflowRolePolicy(
            key?.startsWith("arn:aws:kms:")
              ? key
              : "arn:aws:kms:us-east-1:000000000000:key/profileflow-domain-key",
            "us-east-1",
          ),
        ),
      );
    } finally {
      iam.destroy();
    }
    // The live progress: the workflow's steps, records, records/s and retries.
    await p.page.getByRole("heading", { name: new RegExp(`workflow ${id}`) }).waitFor();
    await p.page.getByText("Records/s").waitFor();
    await p.page.getByText("Retries").waitFor();
    await p.page.getByRole("heading", { name: "Steps" }).waitFor();
    await waitFor(async () => (await p.page.getByRole("row").count()) >= steps.Items!.length + 1, {
      what: "a row per workflow step",
    });
    // Polled live until the last batch is in: every step COMPLETE, the records the API counts.
    await p.page.getByText("Complete: continuous integration on").first().waitFor({ timeout: 150_000 });
    const done = await h.server.profiles.send(
      new GetWorkflowCommand({ DomainName: "wiz-bulk", WorkflowId: id }),
    );
    expect(done.Status).toBe("COMPLETE");
    const records = done.Metrics!.AppflowIntegration!.RecordsProcessed!;
    expect(records).toBeGreaterThan(0);
    await p.page
      .locator("dt", { hasText: "Records processed" })
      .locator("xpath=following-sibling::dd[1]")
      .getByText(records.toLocaleString("en-US"), { exact: true })
      .waitFor();
    expect(await p.page.getByRole("row").filter({ hasText: "COMPLETE" }).count()).toBe(steps.Items!.length);
    await expectAccessible(p, "workflow progress");
    await screenshot(p, "add-integration-6-workflow-progress");
    expectCleanConsole(p);
  }, 180_000);
  it("an existing connection tested live, and your own mapping from DescribeConnectorEntity's fields saved with PutProfileObjectType", async () => {
    await h.server.appflow.send(
      new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn-existing", sb)),
    );
    const p = await h.newPage();
    await existingServiceNowConnection(h, p, "wiz-map", "sn-existing");
    await p.page.getByRole("checkbox", { name: "Ingest task" }).uncheck();
    await p.page.getByRole("checkbox", { name: "Ingest incident" }).uncheck();
    await p.page.getByRole("button", { name: /Object type for sys_user/ }).click();
    await p.page.getByRole("option", { name: /Create your own mapping/ }).click();
    await p.page.getByRole("heading", { name: "Mapping for sys_user" }).waitFor();
    // Next is refused until the mapping can be saved.
    await next(p);
    await p.page.getByText("Choose at least one key: it is how objects find their profile.").waitFor();
    // Two updates queued before React renders again (possible when events are dispatched in one task, as
    // here): the key chosen in the first row's list (Cloudscape selects on mouseup) and the object type's
    // name. Both count: each is applied to the wizard's state as it then is, not as it was rendered.
    await p.page.getByRole("button", { name: "Add field mapping" }).click();
    await p.page.getByRole("button", { name: /Key 1/ }).click();
    const nameInput = await p.page.getByLabel("Object type name for sys_user").elementHandle();
    await p.page.getByRole("option", { name: /Profile key, unique/ }).evaluate((option, name) => {
      // The page's own MouseEvent (this file is typed without the DOM library).
      const page = globalThis as unknown as {
        MouseEvent: new (type: string, init: { bubbles: boolean }) => Event;
      };
      option.dispatchEvent(new page.MouseEvent("mouseup", { bubbles: true }));
      // React sees a typed value only through the input's own value setter.
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(name), "value")?.set?.call(name, "SnPerson");
      name.dispatchEvent(new Event("input", { bubbles: true }));
    }, nameInput);
    await p.page
      .getByRole("button", { name: /Key 1/ })
      .filter({ hasText: /Profile key, unique/ })
      .waitFor();
    expect(await p.page.getByLabel("Object type name for sys_user").inputValue()).toBe("SnPerson");
    const rows = [
      { source: "sys_id", target: "_profile.Attributes.snId", key: /Profile key, unique/ },
      { source: "email", target: "_profile.EmailAddress", key: undefined },
      { source: "sys_updated_on", target: "_profile.Attributes.updated", key: undefined },
    ];
    for (const [i, r] of rows.entries()) {
      if (i > 0) await p.page.getByRole("button", { name: "Add field mapping" }).click();
      // As a user would in a list of a hundred fields: type to filter it, pick, and see the pick shown. On a
      // loaded machine a click into the whole list once landed on another field (a run beside other tests, 2026-12-05).
      const source = p.page.getByRole("button", { name: new RegExp(`Source field ${i + 1}`) });
      await source.click();
      await p.page.keyboard.type(r.source);
      await p.page
        .getByRole("option", { name: new RegExp(`^${r.source}\\b`) })
        .first()
        .click();
      await source.filter({ hasText: new RegExp(`^${r.source}\\b`) }).waitFor();
      await p.page.getByPlaceholder("_profile.Attributes.name").nth(i).fill(r.target);
      await p.page.keyboard.press("Escape");
      if (r.key) {
        await p.page.getByRole("button", { name: new RegExp(`Key ${i + 1}`) }).click();
        await p.page.getByRole("option", { name: r.key }).click();
        await p.page
          .getByRole("button", { name: new RegExp(`Key ${i + 1}`) })
          .filter({ hasText: r.key })
          .waitFor();
      }
    }
    await expectAccessible(p, "the mapping editor");
    await screenshot(p, "add-integration-3-own-mapping");
    await next(p);
    await next(p);
    await p.page.getByText(/SnPerson \(your mapping: 3 fields/).waitFor();
    await p.page.getByRole("button", { name: "Create integration" }).click();
    await p.page.getByRole("heading", { name: "Integration progress" }).waitFor();

    const type = await h.server.profiles.send(
      new GetProfileObjectTypeCommand({ DomainName: "wiz-map", ObjectTypeName: "SnPerson" }),
    );
    expect(type.Fields?.["sys_id"]).toMatchObject({
      Source: "_source.sys_id",
      Target: "_profile.Attributes.snId",
    });
    expect(type.Fields?.["email"]).toMatchObject({
      Source: "_source.email",
      Target: "_profile.EmailAddress",
    });
    expect(type.Keys?.["_sys_id"]).toEqual([
      { StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["sys_id"] },
    ]);
    const someone = [...(await liveServiceNowUsers(sb))][0]!;
    await waitFor(
      async () => {
        const r = await h.server.profiles.send(
          new SearchProfilesCommand({ DomainName: "wiz-map", KeyName: "_sys_id", Values: [someone] }),
        );
        return (r.Items ?? []).length === 1;
      },
      { what: `a profile for ServiceNow user ${someone} through the mapping`, timeoutMs: 60_000 },
    );
    expectCleanConsole(p);
  });
  it("a mapping row removed and the next one edited before React renders again: the edit stays with its row", async () => {
    await h.server.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn-rows", sb)));
    const p = await h.newPage();
    await existingServiceNowConnection(h, p, "wiz-rows", "sn-rows");
    await p.page.getByRole("button", { name: /Object type for sys_user/ }).click();
    await p.page.getByRole("option", { name: /Create your own mapping/ }).click();
    await p.page.getByRole("heading", { name: "Mapping for sys_user" }).waitFor();

    const target = (n: number) => p.page.getByPlaceholder("_profile.Attributes.name").nth(n - 1);
    for (const n of [1, 2, 3]) {
      await p.page.getByRole("button", { name: "Add field mapping" }).click();
      await target(n).fill(`_profile.Attributes.row${n}`);
      await p.page.keyboard.press("Escape");
    }
    // In one task: Remove on the first row (its update waits for React's next render), then text typed
    // into the second row's profile field (its input event renders both). The edit is the second row's,
    // which by then is the first: a row found by its place as rendered would get the third row edited.
    const second = await target(2).elementHandle();
    await p.page
      .getByRole("button", { name: "Remove the mapping of a field" })
      .first()
      .evaluate((remove, input) => {
        // The page's own MouseEvent (this file is typed without the DOM library).
        const page = globalThis as unknown as {
          MouseEvent: new (type: string, init: { bubbles: boolean }) => Event;
        };
        remove.dispatchEvent(new page.MouseEvent("click", { bubbles: true }));
        // React sees a typed value only through the input's own value setter.
        Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), "value")?.set?.call(
          input,
          "_profile.Attributes.edited",
        );
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }, second);
    await p.page.keyboard.press("Escape");
    await target(3).waitFor({ state: "detached" });
    expect(await p.page.getByRole("button", { name: "Remove the mapping of a field" }).count()).toBe(2);
    expect(await target(1).inputValue()).toBe("_profile.Attributes.edited");
    expect(await target(2).inputValue()).toBe("_profile.Attributes.row3");
    expectCleanConsole(p);
  });
  it("Salesforce: tokens as AppFlow models them, the connected app's id and secret kept in a Secrets Manager secret", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/wiz-sf/integrations/new`);
    await p.page.getByRole("radio", { name: /Salesforce/ }).check();
    await p.page.getByText("Salesforce integration requirements").waitFor();
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await next(p);
    await p.page.getByLabel("Connection name").fill("sf-wizard");
    await p.page.getByLabel("Instance URL").fill(sf.url);
    await p.page.getByLabel("Access token").fill(sf.credentials.accessToken);
    await p.page.getByLabel("Refresh token").fill(sf.credentials.refreshToken);
    await p.page.getByLabel("Connected app client ID").fill(sf.credentials.clientId);
    await p.page.getByLabel("Connected app client secret").fill(sf.credentials.clientSecret);
    await p.page.getByRole("button", { name: "Create and test connection" }).click();
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    const secrets = new SecretsManagerClient({
      endpoint: h.server.endpoint,
      region: "us-east-1",
      credentials: h.server.credentials,
    });
    try {
      const secret = await secrets.send(
        new GetSecretValueCommand({ SecretId: "profileflow/salesforce/sf-wizard" }),
      );
      expect(JSON.parse(secret.SecretString!)).toEqual({
        clientId: sf.credentials.clientId,
        clientSecret: sf.credentials.clientSecret,
      });
    } finally {
      secrets.destroy();
    }
    await next(p);
    for (const o of ["Account", "Contact", "Asset"])
      await p.page
        .getByRole("row")
        .filter({ hasText: `Salesforce-${o}` })
        .waitFor();
    expectCleanConsole(p);
  });
  it("Zendesk: no bulk beyond 60 days; each object read by the field DescribeConnectorEntity marks incremental", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/wiz-zd/integrations/new`);
    // Keyboard only: the tile, the checkbox and Next.
    const tile = p.page.getByRole("radio", { name: /Zendesk/ });
    await tile.focus();
    await p.page.keyboard.press("Space");
    expect(await tile.isChecked()).toBe(true);
    const read = p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" });
    await read.focus();
    await p.page.keyboard.press("Space");
    expect(await read.isChecked()).toBe(true);
    await p.page.getByRole("button", { name: "Next", exact: true }).focus();
    await p.page.keyboard.press("Enter");
    await p.page.getByLabel("Connection name").fill("zd-wizard");
    await p.page.getByLabel("Instance URL").fill(zd.url);
    await p.page.getByLabel("Client ID").fill(zd.credentials.clientId);
    await p.page.getByLabel("Client secret").fill(zd.credentials.clientSecret);
    await p.page.getByLabel("Access token").fill(zd.credentials.accessToken);
    await p.page.getByRole("button", { name: "Create and test connection" }).click();
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    await next(p);
    for (const o of ["users", "tickets"])
      await p.page
        .getByRole("row")
        .filter({ hasText: `Zendesk-${o}` })
        .waitFor();
    await next(p);
    const start = new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10);
    await p.page.getByPlaceholder("YYYY/MM/DD").fill(start.replaceAll("-", "/"));
    await p.page.getByText("Zendesk has no bulk ingestion").waitFor();
    expect(await p.page.getByText("Bulk ingestion of data").count()).toBe(0);
    await next(p);
    await p.page.getByText("Continuous integration (hourly)").waitFor();
    await p.page.getByRole("button", { name: "Create integration" }).click();
    await p.page.getByRole("heading", { name: "Integration progress" }).waitFor();
    expect(
      (await h.server.profiles.send(new ListWorkflowsCommand({ DomainName: "wiz-zd" }))).Items ?? [],
    ).toEqual([]);
    const cursors: Record<string, string | undefined> = {};
    for (const o of ["users", "tickets"]) {
      const f = await h.server.appflow.send(new DescribeFlowCommand({ flowName: `wiz-zd-Zendesk-${o}` }));
      cursors[o] = f.sourceFlowConfig?.incrementalPullConfig?.datetimeTypeFieldName;
    }
    expect(cursors).toEqual({ users: "updated_at", tickets: "generated_timestamp" });
    const run = await waitFor(
      async () => {
        const r = await h.server.appflow.send(
          new DescribeFlowExecutionRecordsCommand({ flowName: "wiz-zd-Zendesk-tickets" }),
        );
        const e = r.flowExecutions?.[0];
        return e && e.executionStatus !== "InProgress" ? e : undefined;
      },
      { what: "the first run of the tickets flow", timeoutMs: 60_000 },
    );
    expect(run.executionStatus).toBe("Successful");
    expectCleanConsole(p);
  });
  it("Marketo, more than 60 days back with an existing role selected from IAM ListRoles", async () => {
    const iam = new IAMClient({
      endpoint: h.server.endpoint,
      region: "us-east-1",
      credentials: h.server.credentials,
    });
    let roleArn: string;
    try {
      const made = await iam.send(
        new CreateRoleCommand({
          RoleName: "MarketoHistory",
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
        }),
      );
      roleArn = made.Role!.Arn!;
    } finally {
      iam.destroy();
    }
    const p = await h.newPage();
    await h.signIn(p);
    await p.page.goto(`${h.url}domains/wiz-mk/integrations/new`);
    await p.page.getByRole("radio", { name: /Marketo/ }).check();
    await p.page.getByRole("checkbox", { name: "I’ve read the integration requirements" }).check();
    await next(p);
    await p.page.getByLabel("Connection name").fill("mk-wizard");
    await p.page.getByLabel("Instance URL").fill(mk.url);
    await p.page.getByLabel("Client ID").fill(mk.credentials.clientId);
    await p.page.getByLabel("Client secret").fill(mk.credentials.clientSecret);
    await p.page.getByRole("button", { name: "Create and test connection" }).click();
    await p.page.getByRole("status").getByText("Connected", { exact: true }).waitFor();
    await next(p);
    await p.page.getByRole("row").filter({ hasText: "Marketo-leads" }).waitFor();
    await next(p);
    const start = new Date(Date.now() - 150 * DAY).toISOString().slice(0, 10);
    await p.page.getByPlaceholder("YYYY/MM/DD").fill(start.replaceAll("-", "/"));
    await p.page.getByText("Bulk ingestion of data").waitFor();
    await p.page.getByRole("radio", { name: /Use an existing role/ }).check();
    // Nothing chosen yet: Next is refused with the reason.
    await next(p);
    await p.page.getByText("Select a role.").waitFor();
    await p.page.getByRole("button", { name: /^Existing role/ }).click();
    await p.page.getByRole("option", { name: /MarketoHistory/ }).click();
    await next(p);
    await p.page.getByText(roleArn).waitFor();
    await p.page.getByRole("button", { name: "Create integration" }).click();
    await p.page.getByRole("heading", { name: "Integration progress" }).waitFor();
    const wfs =
      (await h.server.profiles.send(new ListWorkflowsCommand({ DomainName: "wiz-mk" }))).Items ?? [];
    expect(wfs).toHaveLength(1);
    const wf = await h.server.profiles.send(
      new GetWorkflowCommand({ DomainName: "wiz-mk", WorkflowId: wfs[0]!.WorkflowId! }),
    );
    expect(wf.Attributes?.AppflowIntegration?.RoleArn).toBe(roleArn);
    expect(wf.Attributes?.AppflowIntegration?.SourceConnectorType).toBe("Marketo");
    await p.page.getByRole("heading", { name: "Steps" }).waitFor();
    expectCleanConsole(p);
  });
});
