import type { AddressInfo } from "node:net";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type CreateIntegrationWorkflowCommandInput,
  CustomerProfilesClient,
  DeleteWorkflowCommand,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
  ListWorkflowsCommand,
} from "@aws-sdk/client-customer-profiles";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createApp } from "../../src/api/app.ts";
import { domainOperations } from "../../src/api/customer-profiles/domains.ts";
import { workflowOperations } from "../../src/api/customer-profiles/workflows.ts";
import { ConnectorError } from "../../src/connectors/sdk/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/core/logger.ts";
import { ConnectorProfileStore } from "../../src/flows/connector-profile-store.ts";
import { SigV4Verifier } from "../../src/security/sigv4-verifier.ts";
import { WorkflowService } from "../../src/services/workflow-service.ts";
import { FakeSource } from "../flows/fake-source.ts";
import { createSinkTables } from "../flows/harness.ts";
import { domainServices } from "../helpers/domain-services.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  CONNECTOR_PROFILE_ARN_PREFIX,
  drive,
  failingWindows,
  identityBox,
  ManualClock,
  makeWorld,
  specOf,
  spread,
  T0,
  type World,
} from "./harness.ts";

const credentials = { accessKeyId: "AKIDWORKFLOWTEST", secretAccessKey: "workflow-secret" };
const JUL = Date.UTC(2024, 6, 1);
const SEP = Date.UTC(2024, 8, 1);
const NOV = Date.UTC(2024, 10, 1);
const s = (ms: number) => new Date(ms);

describeEachDialect("workflow operations through the SDK", (dialect) => {
  let db: TestDatabase;
  let clock: ManualClock;
  let source: FakeSource;
  let world: World;
  let app: FastifyInstance;
  let endpoint: string;
  let client: CustomerProfilesClient;
  let failNov: Error[];
  let n = 0;
  let flowName: string;

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await createSinkTables(db);
    clock = new ManualClock(T0);
    source = new FakeSource(clock);
    failNov = [];
    world = makeWorld(
      db,
      clock,
      failingWindows(specOf(source), (w) => w.from === NOV, failNov),
      "api",
    );
    await world.runner.init();
    const { domains, objectTypes } = domainServices(db, clock);
    const connectorProfiles = new ConnectorProfileStore(identityBox, clock, CONNECTOR_PROFILE_ARN_PREFIX);
    await connectorProfiles.create(db.db, {
      name: "fake-conn",
      connectorType: "Servicenow",
      connectionMode: "Public",
      properties: { ServiceNow: { instanceUrl: "https://fake.service-now.com" } },
      credentials: undefined,
      connectionStatus: "Connected",
    });
    await connectorProfiles.create(db.db, {
      name: "zd-conn",
      connectorType: "Zendesk",
      connectionMode: "Public",
      properties: { Zendesk: { instanceUrl: "https://fake.zendesk.com" } },
      credentials: undefined,
      connectionStatus: "Connected",
    });
    app = createApp({
      verifier: new SigV4Verifier(
        {
          secretFor: async (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
        },
        systemClock,
      ),
      services: [
        domainOperations({ domains }),
        workflowOperations({
          workflows: new WorkflowService({ ...world.workflowDeps, domains, objectTypes }),
        }),
      ],
      logger: createLogger("silent"),
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    client = new CustomerProfilesClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    await client.send(new CreateDomainCommand({ DomainName: "d", DefaultExpirationDays: 30 }));
  });
  afterAll(async () => {
    client.destroy();
    await app.close();
    await db.destroy();
  });
  beforeEach(() => {
    flowName = `api-hist-${++n}`;
  });

  const input = (over: {
    batches?: { StartTime: Date; EndTime: Date }[];
    first?: Date;
    connector?: "Servicenow" | "Zendesk";
  }): CreateIntegrationWorkflowCommandInput => {
    const connector = over.connector ?? "Servicenow";
    return {
      DomainName: "d",
      WorkflowType: "APPFLOW_INTEGRATION",
      ObjectTypeName: "Servicenow-sys_user",
      RoleArn: "arn:aws:iam::123456789012:role/CustomerProfilesWorkflow",
      IntegrationConfig: {
        AppflowIntegration: {
          FlowDefinition: {
            FlowName: flowName,
            KmsArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
            SourceFlowConfig: {
              ConnectorType: connector,
              ConnectorProfileName: connector === "Zendesk" ? "zd-conn" : "fake-conn",
              IncrementalPullConfig: { DatetimeTypeFieldName: "sys_updated_on" },
              SourceConnectorProperties:
                connector === "Zendesk"
                  ? { Zendesk: { Object: "users" } }
                  : { ServiceNow: { Object: "sys_user" } },
            },
            Tasks: [
              { TaskType: "Filter", SourceFields: ["n"], ConnectorOperator: { ServiceNow: "PROJECTION" } },
              {
                TaskType: "Map",
                SourceFields: ["n"],
                DestinationField: "n",
                ConnectorOperator: { ServiceNow: "NO_OP" },
              },
            ],
            TriggerConfig: {
              TriggerType: "Scheduled",
              TriggerProperties: {
                Scheduled: {
                  ScheduleExpression: "rate(1hours)",
                  DataPullMode: "Incremental",
                  ...(over.first ? { FirstExecutionFrom: over.first } : {}),
                },
              },
            },
          },
          ...(over.batches ? { Batches: over.batches } : {}),
        },
      },
    };
  };
  const complete = (id: string) => async () =>
    (await client.send(new GetWorkflowCommand({ DomainName: "d", WorkflowId: id }))).Status === "COMPLETE";

  it("plans 2-month batches from FirstExecutionFrom, runs them, reports steps and distinct metrics, hands off", async () => {
    spread(source, 12, JUL, T0);
    const created = await client.send(new CreateIntegrationWorkflowCommand(input({ first: s(JUL) })));
    expect(created.WorkflowId).toMatch(/^[a-f0-9]{32}$/);
    expect(created.Message).toMatch(/^Workflow creation request received: 3 batches/);
    const id = created.WorkflowId!;
    await drive(world, clock, complete(id));

    const wf = await client.send(new GetWorkflowCommand({ DomainName: "d", WorkflowId: id }));
    expect(wf).toMatchObject({
      WorkflowId: id,
      WorkflowType: "APPFLOW_INTEGRATION",
      Status: "COMPLETE",
      Attributes: {
        AppflowIntegration: {
          SourceConnectorType: "Servicenow",
          ConnectorProfileName: "fake-conn",
          RoleArn: "arn:aws:iam::123456789012:role/CustomerProfilesWorkflow",
        },
      },
      Metrics: { AppflowIntegration: { RecordsProcessed: 12, StepsCompleted: 3, TotalSteps: 3 } },
    });
    expect(wf.StartDate).toBeInstanceOf(Date);
    const steps = await client.send(
      new GetWorkflowStepsCommand({ DomainName: "d", WorkflowId: id, MaxResults: 2 }),
    );
    expect(steps.Items?.map((i) => i.AppflowIntegration?.BatchRecordsStartTime)).toEqual([
      "2024-07-01T00:00:00.000Z",
      "2024-09-01T00:00:00.000Z",
    ]);
    expect(steps.Items?.[0]?.AppflowIntegration).toMatchObject({
      Status: "COMPLETE",
      RecordsProcessed: 4,
      BatchRecordsEndTime: "2024-09-01T00:00:00.000Z",
    });
    const rest = await client.send(
      new GetWorkflowStepsCommand({ DomainName: "d", WorkflowId: id, NextToken: steps.NextToken }),
    );
    expect(rest.Items?.map((i) => i.AppflowIntegration?.BatchRecordsEndTime)).toEqual([
      "2025-01-01T00:00:00.000Z",
    ]);
    expect(rest.NextToken).toBeUndefined();
    expect(await world.integrations.byFlow(db.db, flowName)).toMatchObject({ workflowId: id, hidden: false });

    const listed = await client.send(new ListWorkflowsCommand({ DomainName: "d", Status: "COMPLETE" }));
    expect(listed.Items?.map((i) => i.WorkflowId)).toContain(id);
    expect(listed.Items?.find((i) => i.WorkflowId === id)?.StatusDescription).toMatch(/^History ingested/);
  });

  it("refuses what AWS refuses: Zendesk, neither Batches nor FirstExecutionFrom, overlapping batches, unknown ids", async () => {
    const reject = async (p: Promise<unknown>, name: string, about?: RegExp) =>
      expect(p).rejects.toMatchObject({ name, ...(about ? { message: expect.stringMatching(about) } : {}) });
    await reject(
      client.send(new CreateIntegrationWorkflowCommand(input({ first: s(JUL), connector: "Zendesk" }))),
      "BadRequestException",
      /Zendesk/,
    );
    await reject(
      client.send(new CreateIntegrationWorkflowCommand(input({}))),
      "BadRequestException",
      /Batches/,
    );
    await reject(
      client.send(
        new CreateIntegrationWorkflowCommand(
          input({
            batches: [
              { StartTime: s(JUL), EndTime: s(NOV) },
              { StartTime: s(SEP), EndTime: s(T0) },
            ],
          }),
        ),
      ),
      "BadRequestException",
      /overlap/,
    );
    const unknown = "0123456789abcdef0123456789abcdef";
    await reject(
      client.send(new GetWorkflowCommand({ DomainName: "d", WorkflowId: unknown })),
      "ResourceNotFoundException",
    );
    await reject(
      client.send(new DeleteWorkflowCommand({ DomainName: "d", WorkflowId: unknown })),
      "ResourceNotFoundException",
    );
  });

  it("a FAILED step names its window; the retry extension re-runs it; DeleteWorkflow removes the workflow", async () => {
    failNov.push(...[1, 2, 3, 4].map((i) => new ConnectorError("transient", `503 number ${i}`)));
    const created = await client.send(
      new CreateIntegrationWorkflowCommand(
        input({
          batches: [
            { StartTime: s(SEP), EndTime: s(NOV) },
            { StartTime: s(NOV), EndTime: s(T0) },
          ],
        }),
      ),
    );
    const id = created.WorkflowId!;
    const get = () => client.send(new GetWorkflowCommand({ DomainName: "d", WorkflowId: id }));
    await drive(world, clock, async () => (await get()).Status === "FAILED");
    const failed = await get();
    expect(failed.ErrorDescription).toBe(
      "1 of 2 steps failed; missing windows: [2024-11-01T00:00:00.000Z, 2025-01-01T00:00:00.000Z)",
    );
    expect(failed.Metrics?.AppflowIntegration).toMatchObject({ StepsCompleted: 1, TotalSteps: 2 });

    const res = await signedFetch(endpoint, {
      method: "POST",
      path: `/domains/d/workflows/${id}/retry`,
      body: "{}",
      credentials,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      WorkflowId: id,
      Message: "Re-running 1 failed step(s).",
      Windows: [{ StartTime: NOV / 1000, EndTime: T0 / 1000 }],
    });
    await drive(world, clock, complete(id));

    await client.send(new DeleteWorkflowCommand({ DomainName: "d", WorkflowId: id }));
    await expect(get()).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
