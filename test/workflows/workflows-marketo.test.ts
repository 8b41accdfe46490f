import { CreateIntegrationWorkflowCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { START, sandbox, truth } from "../connectors/marketo/harness.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { expectIngestedExactly, type SdkStack, startWorkflowStack } from "./sdk-stack.ts";

const DAY = 86_400_000;
const TYPE = "Marketo-leads";
const FIELDS = ["id", "firstName", "lastName", "email", "updatedAt"];

describeEachDialect("a six-month Marketo workflow through the SDK", (dialect) => {
  let sb: MarketoSandbox;
  let stack: SdkStack;
  const now = () => sb.world.clock.now();

  beforeAll(async () => {
    sb = await sandbox(300);
    stack = await startWorkflowStack(
      dialect,
      sb.world.clock,
      {
        connectorProfileName: "mk",
        connectorType: "Marketo",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { Marketo: { instanceUrl: sb.credentials.instanceUrl } },
          connectorProfileCredentials: {
            Marketo: { clientId: sb.credentials.clientId, clientSecret: sb.credentials.clientSecret },
          },
        },
      },
      "wf",
    );
  });
  afterAll(async () => {
    await stack?.close();
    await sb?.close();
  });

  it("ingests exactly the ground truth in 2-month steps and hands off", async () => {
    const first = START - 183 * DAY;
    const created = await stack.send<{ WorkflowId: string }>(
      stack.profiles,
      new CreateIntegrationWorkflowCommand(
        appflowWorkflow({
          domain: "wf",
          kmsArn: await stack.domainKey("wf"),
          roleArn: await stack.workflowRole("wf"),
          objectType: TYPE,
          flowName: "mk-leads",
          source: {
            connectorType: "Marketo",
            propertyKey: "Marketo",
            connectorProfileName: "mk",
            object: "leads",
            cursorField: "updatedAt",
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
    expect(steps.map((s: any) => s.Status)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "COMPLETE"]);
    const history = await truth(sb, first, START);
    expect(history.length).toBeGreaterThan(10);
    // Leads changed after START (the sandbox's churn while the test moved its clock) came in through the continuous integration.
    const later = await truth(sb, START, now());
    await expectIngestedExactly(stack, { domain: "wf", objectType: TYPE, workflow: wf }, { history, later });
  });
});
