import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppflowClient, CreateConnectorProfileCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  CustomerProfilesClient,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { composeServer, type Server } from "../../src/main.ts";
import type { MarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { START, sandbox, truth } from "../connectors/marketo/harness.ts";
import { createPostgresDatabase, describeEachDialect } from "../helpers/test-database.ts";

const DAY = 86_400_000;
const TYPE = "Marketo-leads";
const FIELDS = ["id", "firstName", "lastName", "email", "updatedAt"];

describeEachDialect("a six-month Marketo workflow through the SDK", (dialect) => {
  let sb: MarketoSandbox;
  let server: Server;
  let dataDir: string;
  let dropPg: (() => Promise<void>) | undefined;
  let profiles: CustomerProfilesClient;
  let appflow: AppflowClient;
  const now = () => sb.world.clock.now();
  const send = async <T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T> => {
    client.config.systemClockOffset = now() - Date.now();
    return (client as any).send(command) as Promise<T>;
  };

  beforeAll(async () => {
    sb = await sandbox(300);
    dataDir = mkdtempSync(join(tmpdir(), "pf-wf-mk-"));
    const pg = dialect === "postgres" ? await createPostgresDatabase() : undefined;
    dropPg = pg?.drop;
    const credentials = { accessKeyId: "AKIDWORKFLOWMKTEST", secretAccessKey: "workflowmksecret0123" };
    const config = loadConfig({
      flags: { port: 0, dataDir, databaseUrl: pg?.url, logLevel: "silent", ...credentials },
    });
    server = await composeServer(config, {
      clock: { now },
      logger: createLogger("silent"),
      engine: {
        timer: { now, sleep: async (ms) => sb.world.clock.advance(ms) },
        heartbeatIntervalMs: 3_600_000,
      },
    });
    // What startWorkers does, without the background loop: the test runs the executor by hand.
    await server.flows.engine.init();
    await server.workflows.init();
    const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
    const cfg = { endpoint, region: config.region, credentials, maxAttempts: 1 };
    profiles = new CustomerProfilesClient(cfg);
    appflow = new AppflowClient(cfg);
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
    profiles?.destroy();
    appflow?.destroy();
    await server?.close();
    await dropPg?.();
    await sb?.close();
    rmSync(dataDir, { recursive: true, force: true });
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
