import { type AppflowClient, CreateConnectorProfileCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type CustomerProfilesClient,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Server } from "../../src/main.ts";
import type { MarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { START, sandbox, truth } from "../connectors/marketo/harness.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { type SdkStack, startSdkStack } from "./sdk-stack.ts";

const DAY = 86_400_000;
const TYPE = "Marketo-leads";
const FIELDS = ["id", "firstName", "lastName", "email", "updatedAt"];

describeEachDialect("a six-month Marketo workflow through the SDK", (dialect) => {
  let sb: MarketoSandbox;
  let server: Server;
  let stack: SdkStack;
  let profiles: CustomerProfilesClient;
  let appflow: AppflowClient;
  const now = () => sb.world.clock.now();
  const send = <T>(client: CustomerProfilesClient | AppflowClient, command: unknown) =>
    stack.send<T>(client, command);

  beforeAll(async () => {
    sb = await sandbox(300);
    stack = await startSdkStack(dialect, sb.world.clock);
    ({ server, profiles, appflow } = stack);
    await send(profiles, new CreateDomainCommand({ DomainName: "wf", DefaultExpirationDays: 365 }));
    await send(
      appflow,
      new CreateConnectorProfileCommand({
        connectorProfileName: "mk",
        connectorType: "Marketo",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { Marketo: { instanceUrl: sb.credentials.instanceUrl } },
          connectorProfileCredentials: {
            Marketo: { clientId: sb.credentials.clientId, clientSecret: sb.credentials.clientSecret },
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await stack?.close();
    await sb?.close();
  });

  it("ingests exactly the ground truth in 2-month steps and hands off", async () => {
    const first = START - 183 * DAY;
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
              FlowName: "mk-leads",
              KmsArn: "arn:aws:kms:us-east-1:000000000000:key/workflow",
              SourceFlowConfig: {
                ConnectorType: "Marketo",
                ConnectorProfileName: "mk",
                IncrementalPullConfig: { DatetimeTypeFieldName: "updatedAt" },
                SourceConnectorProperties: { Marketo: { Object: "leads" } },
              },
              Tasks: [
                { TaskType: "Filter", SourceFields: FIELDS, ConnectorOperator: { Marketo: "PROJECTION" } },
                ...FIELDS.map((f) => ({
                  TaskType: "Map" as const,
                  SourceFields: [f],
                  DestinationField: f,
                  ConnectorOperator: { Marketo: "NO_OP" as const },
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
    expect(steps.map((s: any) => s.Status)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "COMPLETE"]);
    const expected = await truth(sb, first, START);
    expect(expected.length).toBeGreaterThan(10);
    expect(wf.Metrics.AppflowIntegration.RecordsProcessed).toBe(expected.length);
    const objects = await server.database.db
      .selectFrom("profile_objects")
      .select(["object_key", "profile_id"])
      .where("domain_name", "=", "wf")
      .where("object_type_name", "=", TYPE)
      .execute();
    const history = expected.map((e) => e.split("@")[0]!);
    // Leads changed after START (the sandbox's churn while the test moved its clock) came in through the continuous integration.
    const later = (await truth(sb, START, now())).map((e) => e.split("@")[0]!);
    const keys = objects.map((o) => o.object_key);
    expect(new Set(keys)).toEqual(new Set([...history, ...later]));
    expect(keys).toHaveLength(new Set(keys).size);
  });
});
