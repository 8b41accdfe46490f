import { type AppflowClient, CreateConnectorProfileCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type CustomerProfilesClient,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import type { Server } from "../../src/main.ts";
import type { SalesforceSandbox } from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { DAY, START, sandbox, truth } from "../connectors/salesforce/harness.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { type SdkStack, startSdkStack } from "./sdk-stack.ts";

const TYPE = "Salesforce-Contact";
const FIELDS = ["Id", "AccountId", "FirstName", "LastName", "Email", "SystemModstamp"];

describeEachDialect("a six-month Salesforce workflow through the SDK, with QUERY_TIMEOUT", (dialect) => {
  let sb: SalesforceSandbox;
  let server: Server;
  let stack: SdkStack;
  let profiles: CustomerProfilesClient;
  let appflow: AppflowClient;
  const now = () => sb.world.clock.now();
  const send = <T>(client: CustomerProfilesClient | AppflowClient, command: unknown) =>
    stack.send<T>(client, command);

  beforeAll(async () => {
    sb = await sandbox(400);
    stack = await startSdkStack(dialect, sb.world.clock);
    ({ server, profiles, appflow } = stack);
    await send(profiles, new CreateDomainCommand({ DomainName: "wf", DefaultExpirationDays: 365 }));
    await send(
      appflow,
      new CreateConnectorProfileCommand({
        connectorProfileName: "sf",
        connectorType: "Salesforce",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { Salesforce: { instanceUrl: sb.credentials.instanceUrl } },
          connectorProfileCredentials: { Salesforce: { accessToken: sb.credentials.accessToken } },
        },
      }),
    );
  });
  afterAll(async () => {
    await stack?.close();
    await sb?.close();
  });

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

    const created = await send<{ WorkflowId: string }>(
      profiles,
      new CreateIntegrationWorkflowCommand({
        DomainName: "wf",
        WorkflowType: "APPFLOW_INTEGRATION",
        ObjectTypeName: TYPE,
        RoleArn: "arn:aws:iam::000000000000:role/CustomerProfilesWorkflow",
        IntegrationConfig: {
          AppflowIntegration: {
            FlowDefinition: {
              FlowName: "sf-contacts",
              KmsArn: "arn:aws:kms:us-east-1:000000000000:key/workflow",
              SourceFlowConfig: {
                ConnectorType: "Salesforce",
                ConnectorProfileName: "sf",
                IncrementalPullConfig: { DatetimeTypeFieldName: "SystemModstamp" },
                SourceConnectorProperties: { Salesforce: { Object: "Contact" } },
              },
              Tasks: [
                { TaskType: "Filter", SourceFields: FIELDS, ConnectorOperator: { Salesforce: "PROJECTION" } },
                ...FIELDS.map((f) => ({
                  TaskType: "Map" as const,
                  SourceFields: [f],
                  DestinationField: f,
                  ConnectorOperator: { Salesforce: "NO_OP" as const },
                })),
              ],
              TriggerConfig: {
                TriggerType: "Scheduled",
                TriggerProperties: {
                  Scheduled: {
                    ScheduleExpression: "rate(1hours)",
                    DataPullMode: "Incremental",
                    FirstExecutionFrom: new Date(first),
                  },
                },
              },
            },
          },
        },
      }),
    );
    const id = created.WorkflowId;
    const getWf = () => send<any>(profiles, new GetWorkflowCommand({ DomainName: "wf", WorkflowId: id }));
    for (let round = 0; round < 80 && (await getWf()).Status !== "COMPLETE"; round++) {
      await server.flows.executor.runOnce();
      sb.world.clock.advance(60_000); // the engine's retry backoff, the workflow's and the lag's waits
    }
    const wf = await getWf();
    expect(wf.Status).toBe("COMPLETE");
    const steps = (
      await send<any>(profiles, new GetWorkflowStepsCommand({ DomainName: "wf", WorkflowId: id }))
    ).Items.map((s: any) => s.AppflowIntegration);
    const split = steps.filter((s: any) => s.Status === "SPLIT");
    expect(split.length).toBeGreaterThan(0);
    expect(split[0].ExecutionMessage).toMatch(/^Split into 2 smaller windows: .*QUERY_TIMEOUT/);
    expect(steps.filter((s: any) => s.Status !== "SPLIT").every((s: any) => s.Status === "COMPLETE")).toBe(
      true,
    );

    const expected = await truth(sb, "Contact", first, START);
    expect(wf.Metrics.AppflowIntegration.RecordsProcessed).toBe(expected.length);
    const objects = await server.database.db
      .selectFrom("profile_objects")
      .select(["object_key", "profile_id"])
      .where("domain_name", "=", "wf")
      .where("object_type_name", "=", TYPE)
      .execute();
    const history = expected.map((e) => e.split("@")[0]!);
    // Contacts changed after START (the sandbox's churn while the test moved its clock) came in through the continuous integration.
    const later = (await truth(sb, "Contact", START, now())).map((e) => e.split("@")[0]!);
    const keys = objects.map((o) => o.object_key);
    expect(new Set(keys)).toEqual(new Set([...history, ...later]));
    expect(keys).toHaveLength(new Set(keys).size);
  });
});
