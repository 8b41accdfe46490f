import { type AppflowClient, DescribeFlowExecutionRecordsCommand } from "@aws-sdk/client-appflow";
import {
  CreateIntegrationWorkflowCommand,
  type CustomerProfilesClient,
  GetIntegrationCommand,
  GetWorkflowStepsCommand,
  ListIntegrationsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Server } from "../../src/main.ts";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { admin, START, sandbox, truth } from "../connectors/servicenow/harness.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { type SdkStack, startWorkflowStack } from "./sdk-stack.ts";

const DAY = 86_400_000;
const TYPE = "Servicenow-sys_user";

describeEachDialect("a six-month ServiceNow workflow through the SDK", (dialect) => {
  let sb: ServiceNowSandbox;
  let server: Server;
  let stack: SdkStack;
  let profiles: CustomerProfilesClient;
  let appflow: AppflowClient;

  // The server, the connector and the sandbox share one clock that moves only when the test moves it.
  const send = <T>(client: CustomerProfilesClient | AppflowClient, command: unknown) =>
    stack.send<T>(client, command);

  beforeAll(async () => {
    sb = await sandbox(150);
    stack = await startWorkflowStack(dialect, sb.world.clock, serviceNowConnectorProfile("sn", sb), "wf");
    ({ server, profiles, appflow } = stack);
  });
  afterAll(async () => {
    await stack?.close();
    await sb?.close();
  });

  it("ingests exactly the ground truth in 2-month steps, then the continuous integration takes the seam once", async () => {
    const first = START - 183 * DAY;
    const created = await send<{ WorkflowId: string }>(
      profiles,
      new CreateIntegrationWorkflowCommand(
        appflowWorkflow({
          domain: "wf",
          kmsArn: await stack.domainKey("wf"),
          roleArn: await stack.workflowRole("wf"),
          objectType: TYPE,
          flowName: "sn-users",
          source: {
            connectorType: "Servicenow",
            propertyKey: "ServiceNow",
            connectorProfileName: "sn",
            object: "sys_user",
            cursorField: "sys_updated_on",
            fields: ["sys_id", "email", "first_name", "last_name", "sys_updated_on"],
          },
          first: new Date(first),
        }),
      ),
    );
    const id = created.WorkflowId;
    const executor = server.flows.executor;
    await executor.runOnce();
    const getWf = () => stack.workflow("wf", id);
    expect((await getWf()).Status).toBe("IN_PROGRESS"); // the last window waits out the 1-minute lag

    // A user created during the backfill, right after the history's end: only the continuous integration reads it.
    sb.world.clock.advance(10_000);
    const seamUser = await admin(sb, "POST", "records/sys_user", {
      email: "seam.user@example.com",
      first_name: "Seam",
    });
    sb.world.clock.advance(80_000); // past the lag: the last window [.., START) is settled, the user at START+10s is visible
    await executor.runOnce();
    await executor.runOnce(); // the PostgreSQL queue fires schedules once per pass: the hand-off's first tick is in the next
    const wf = await getWf();
    expect(wf.Status).toBe("COMPLETE");
    const expected = await truth(sb, "sys_user", first, START);
    expect(expected.length).toBeGreaterThan(10);
    expect(wf.Metrics.AppflowIntegration).toEqual({
      RecordsProcessed: expected.length,
      StepsCompleted: 4,
      TotalSteps: 4,
    });
    const steps = await send<any>(
      profiles,
      new GetWorkflowStepsCommand({ DomainName: "wf", WorkflowId: id }),
    );
    expect(steps.Items.map((s: any) => s.AppflowIntegration.BatchRecordsStartTime)).toEqual([
      "2024-11-30T12:00:00.000Z",
      "2025-01-30T12:00:00.000Z",
      "2025-03-30T12:00:00.000Z",
      "2025-05-30T12:00:00.000Z",
    ]);
    expect(steps.Items.reduce((n: number, s: any) => n + s.AppflowIntegration.RecordsProcessed, 0)).toBe(
      expected.length,
    );

    // Exactly the ground truth's objects, each with a profile.
    const objects = await stack.storedObjects("wf", TYPE);
    const history = expected.map((e) => e.split("@")[0]!);
    const seamId: string | undefined = seamUser?.sys_id ?? seamUser?.id ?? seamUser?.record?.sys_id;
    expect(seamId).toBeTruthy();
    const all = [...history, seamId!];
    expect(objects.map((o) => o.object_key).sort()).toEqual([...all].sort());
    expect(objects.every((o) => o.profile_id)).toBe(true);

    // The hand-off: a visible integration carrying the WorkflowId; its first execution started at the history's end.
    const listed = await send<any>(profiles, new ListIntegrationsCommand({ DomainName: "wf" }));
    expect(listed.Items.map((i: any) => [i.ObjectTypeName, i.WorkflowId])).toEqual([[TYPE, id]]);
    const hidden = await send<any>(
      profiles,
      new ListIntegrationsCommand({ DomainName: "wf", IncludeHidden: true }),
    );
    expect(hidden.Items).toHaveLength(5);
    const integration = await send<any>(
      profiles,
      new GetIntegrationCommand({ DomainName: "wf", Uri: listed.Items[0].Uri }),
    );
    expect(integration.WorkflowId).toBe(id);
    const runs = await send<any>(appflow, new DescribeFlowExecutionRecordsCommand({ flowName: "sn-users" }));
    expect(runs.flowExecutions).toHaveLength(1);
    expect(runs.flowExecutions[0]).toMatchObject({
      executionStatus: "Successful",
      dataPullStartTime: new Date(START),
    });
    expect(runs.flowExecutions[0].executionResult.recordsProcessed).toBe(1); // the seam user, and nothing of the history again
  });
});
