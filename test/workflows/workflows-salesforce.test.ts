import { CreateIntegrationWorkflowCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import type { SalesforceSandbox } from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { DAY, START, sandbox, truth } from "../connectors/salesforce/harness.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { restoreKnobsAfterEach } from "../helpers/sandbox-knobs.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { expectIngestedExactly, type SdkStack, startWorkflowStack } from "./sdk-stack.ts";

const TYPE = "Salesforce-Contact";
const FIELDS = ["Id", "AccountId", "FirstName", "LastName", "Email", "SystemModstamp"];

describeEachDialect("a six-month Salesforce workflow through the SDK, with QUERY_TIMEOUT", (dialect) => {
  let sb: SalesforceSandbox;
  let stack: SdkStack;
  const now = () => sb.world.clock.now();

  beforeAll(async () => {
    sb = await sandbox(400);
    stack = await startWorkflowStack(
      dialect,
      sb.world.clock,
      {
        connectorProfileName: "sf",
        connectorType: "Salesforce",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { Salesforce: { instanceUrl: sb.credentials.instanceUrl } },
          connectorProfileCredentials: { Salesforce: { accessToken: sb.credentials.accessToken } },
        },
      },
      "wf",
    );
  });
  afterAll(async () => {
    await stack?.close();
    await sb?.close();
  });
  restoreKnobsAfterEach(() => sb.url);

  it("splits the windows that time out and still ingests exactly the ground truth", async () => {
    const first = START - 183 * DAY;
    const batches = planBatches(first, START);
    const counts = await Promise.all(
      batches.map(async (b) => (await truth(sb, "Contact", b.from, b.to)).length),
    );
    const largest = Math.max(...counts);
    expect(largest).toBeGreaterThan(8);
    // Queries over more rows than this time out: the largest batch must be split to be read.
    const res = await fetch(`${sb.url}/__sandbox/knobs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ queryTimeoutRows: Math.floor(largest * 0.75) }),
    });
    expect(res.ok).toBe(true);

    const created = await stack.send<{ WorkflowId: string }>(
      stack.profiles,
      new CreateIntegrationWorkflowCommand(
        appflowWorkflow({
          domain: "wf",
          kmsArn: await stack.domainKey("wf"),
          roleArn: await stack.workflowRole("wf"),
          objectType: TYPE,
          flowName: "sf-contacts",
          source: {
            connectorType: "Salesforce",
            propertyKey: "Salesforce",
            connectorProfileName: "sf",
            object: "Contact",
            cursorField: "SystemModstamp",
            fields: FIELDS,
          },
          first: new Date(first),
        }),
      ),
    );
    const id = created.WorkflowId;
    const wf = await stack.driveWorkflow("wf", id, "COMPLETE");
    expect(wf.Status).toBe("COMPLETE");
    const steps = await stack.steps("wf", id);
    const split = steps.filter((s: any) => s.Status === "SPLIT");
    expect(split.length).toBeGreaterThan(0);
    expect(split[0].ExecutionMessage).toMatch(/^Split into 2 smaller windows: .*QUERY_TIMEOUT/);
    expect(steps.filter((s: any) => s.Status !== "SPLIT").every((s: any) => s.Status === "COMPLETE")).toBe(
      true,
    );

    const history = await truth(sb, "Contact", first, START);
    // Contacts changed after START (the sandbox's churn while the test moved its clock) came in through the continuous integration.
    const later = await truth(sb, "Contact", START, now());
    await expectIngestedExactly(stack, { domain: "wf", objectType: TYPE, workflow: wf }, { history, later });
  });
});
