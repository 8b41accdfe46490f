import { CreateConnectorProfileCommand, CreateFlowCommand, StartFlowCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  GetDomainCommand,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile, serviceNowUsersFlow } from "../helpers/servicenow-resources.ts";
import { testDialects } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";
import {
  type ConsoleHarness,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  NARROW,
  STARTUP_MS,
  screenshot,
  startConsole,
} from "./console-harness.ts";

for (const dialect of testDialects) {
  describeConsole(`Customer profiles configuration page (chromium, ${dialect})`, () => {
    let h: ConsoleHarness;
    let sb: ServiceNowSandbox;
    beforeAll(async () => {
      sb = await startServiceNowSandbox({ seed: 7, people: 12 });
      h = await startConsole(dialect, { workers: true });
    }, STARTUP_MS);
    afterAll(async () => {
      await h?.close();
      await sb?.close();
    });

    it("creates a domain through the form; the API's refusal of a duplicate is shown with its message", async () => {
      const p = await h.newPage();
      await h.signIn(p);
      await p.page.getByRole("button", { name: "Create domain" }).first().click();
      const dialog = p.page.getByRole("dialog");
      await dialog.getByLabel("Domain name").fill("console-made");
      await dialog.getByLabel("Default expiration days").fill("90");
      await expectAccessible(p, "the Create domain dialog");
      await dialog.getByRole("button", { name: "Create domain" }).click();
      await p.page.getByText("Domain console-made created.").waitFor();
      await p.page.getByRole("heading", { name: "Integrations" }).waitFor();
      expect(new URL(p.page.url()).searchParams.get("domain")).toBe("console-made");
      const domain = await h.server.profiles.send(new GetDomainCommand({ DomainName: "console-made" }));
      expect(domain.DefaultExpirationDays).toBe(90);
      await p.page.getByText("Domain console-made has no integrations yet.").waitFor();

      // The same name again: the API refuses it and the dialog shows the API's own message.
      const refusal = await h.server.profiles
        .send(new CreateDomainCommand({ DomainName: "console-made", DefaultExpirationDays: 90 }))
        .then(
          () => undefined,
          (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
        );
      expect(refusal).toBeDefined();
      const expected = refusal!.message;
      const status = refusal!.$metadata?.httpStatusCode;
      expect(status).toBeGreaterThanOrEqual(400);
      // The browser prints exactly that refusal of CreateDomain, nothing else.
      p.allow(
        new RegExp(
          `Failed to load resource: the server responded with a status of ${status} \\([^)]*\\) \\(http://[^/]+/domains/console-made\\)$`,
        ),
      );
      await p.page.getByRole("button", { name: "Create domain" }).first().click();
      await dialog.getByLabel("Domain name").fill("console-made");
      await dialog.getByRole("button", { name: "Create domain" }).click();
      await dialog.getByText(expected).first().waitFor();
      expectCleanConsole(p);
    });

    it("lists a domain's integration with its source, objects, object type, status, last run and records", async () => {
      const { profiles, appflow } = h.server;
      await profiles.send(new CreateDomainCommand({ DomainName: "with-sn", DefaultExpirationDays: 30 }));
      await profiles.send(
        new PutProfileObjectTypeCommand({
          DomainName: "with-sn",
          ObjectTypeName: "Servicenow-sys_user",
          TemplateId: "Servicenow-sys_user",
          Description: "ServiceNow users",
        }),
      );
      await appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
      const flow = serviceNowUsersFlow("sn-users", "sn", {
        domainName: "with-sn",
        objectTypeName: "Servicenow-sys_user",
      });
      const { flowArn } = await appflow.send(new CreateFlowCommand(flow));
      await profiles.send(
        new PutIntegrationCommand({
          DomainName: "with-sn",
          Uri: flowArn!,
          ObjectTypeName: "Servicenow-sys_user",
        }),
      );
      await appflow.send(new StartFlowCommand({ flowName: "sn-users" }));
      const firstRun = await waitFor(
        async () => {
          const { DescribeFlowExecutionRecordsCommand } = await import("@aws-sdk/client-appflow");
          const r = await appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName: "sn-users" }));
          const e = r.flowExecutions?.[0];
          return e && e.executionStatus !== "InProgress" ? e : undefined;
        },
        { what: "the first run of sn-users to finish" },
      );

      for (const viewport of [undefined, NARROW]) {
        const p = await h.newPage(viewport);
        await h.signIn(p);
        await p.page.goto(`${h.url}configuration?domain=with-sn`);
        const row = p.page.getByRole("row").filter({ hasText: "sn-users" });
        await row.waitFor();
        const cells = await row.locator("td, th").allInnerTexts();
        const text = cells.join(" | ");
        expect(text).toContain("Servicenow");
        expect(text).toContain("sys_user");
        expect(text).toContain("Servicenow-sys_user");
        expect(text).toMatch(/Successful/);
        expect(cells[6]).toBe(String(firstRun.executionResult?.recordsProcessed));
        expect(Number(cells[6])).toBeGreaterThan(0);
        expect(cells[7]).toBe("0");
        await expectAccessible(p, "the configuration page with an integration");
        await screenshot(p, `configuration-${dialect}`);
        // The integration's pages are in the side navigation and the row links to them (deep links).
        await row.getByRole("link", { name: "Flow details" }).click();
        expect(new URL(p.page.url()).pathname).toBe("/console/domains/with-sn/integrations/sn-users/details");
        expectCleanConsole(p);
      }
    });
  });
}
