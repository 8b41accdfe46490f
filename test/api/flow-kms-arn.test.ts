import {
  CreateConnectorProfileCommand,
  CreateFlowCommand,
  UpdateFlowCommand,
  ValidationException,
} from "@aws-sdk/client-appflow";
import {
  BadRequestException,
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type FlowDefinition,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { failure } from "../helpers/failure.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { ensureWorkflowRole } from "../helpers/workflow-role.ts";

const TYPE = "Servicenow-sys_user";
const OTHER_KEY = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555";

/** Issue 16: a flow's KmsArn must be its destination domain's key (GetDomain's DefaultEncryptionKey). */
describeEachDialect("a flow's KmsArn is its domain's key", (dialect) => {
  let t: TestServer;
  let sb: ServiceNowSandbox;
  let key: string;
  let otherDomainKey: string;
  let n = 0;
  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 3, people: 5 });
    t = await startTestServer(dialect);
    await t.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
    key = (await t.profiles.send(new CreateDomainCommand({ DomainName: "kd", DefaultExpirationDays: 30 })))
      .DefaultEncryptionKey!;
    otherDomainKey = (
      await t.profiles.send(new CreateDomainCommand({ DomainName: "kd-other", DefaultExpirationDays: 30 }))
    ).DefaultEncryptionKey!;
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "kd",
        ObjectTypeName: TYPE,
        TemplateId: TYPE,
        Description: "u",
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await sb?.close();
  });

  const definition = (KmsArn: string, scheduled = false): FlowDefinition => ({
    FlowName: `kd-flow-${++n}`,
    KmsArn,
    SourceFlowConfig: {
      ConnectorType: "Servicenow",
      ConnectorProfileName: "sn",
      SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
      ...(scheduled ? { IncrementalPullConfig: { DatetimeTypeFieldName: "sys_updated_on" } } : {}),
    },
    Tasks: [
      {
        TaskType: "Filter",
        SourceFields: ["sys_id", "email"],
        ConnectorOperator: { ServiceNow: "PROJECTION" },
      },
    ],
    TriggerConfig: scheduled
      ? {
          TriggerType: "Scheduled",
          TriggerProperties: {
            Scheduled: {
              ScheduleExpression: "rate(1hours)",
              DataPullMode: "Incremental",
              FirstExecutionFrom: new Date(Date.now() - 30 * 86_400_000),
            },
          },
        }
      : { TriggerType: "OnDemand" },
  });

  it("PutIntegration refuses another key's ARN (BadRequestException naming KmsArn) and takes the domain's", async () => {
    const put = (KmsArn: string) =>
      t.profiles.send(
        new PutIntegrationCommand({
          DomainName: "kd",
          ObjectTypeName: TYPE,
          FlowDefinition: definition(KmsArn),
        }),
      );
    for (const wrong of [OTHER_KEY, otherDomainKey]) {
      const e = await failure(put(wrong));
      expect(e).toBeInstanceOf(BadRequestException);
      expect(e.message).toContain("KmsArn");
      expect(e.message).toContain(key);
    }
    expect((await put(key)).Uri).toMatch(/^arn:aws:appflow:/);
  });

  it("CreateIntegrationWorkflow refuses another key's ARN; the domain's key is taken", async () => {
    const roleArn = await ensureWorkflowRole(t, { domain: "kd", keyArn: key });
    const create = (KmsArn: string) =>
      t.profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: "kd",
          WorkflowType: "APPFLOW_INTEGRATION",
          ObjectTypeName: TYPE,
          RoleArn: roleArn,
          IntegrationConfig: { AppflowIntegration: { FlowDefinition: definition(KmsArn, true) } },
        }),
      );
    const e = await failure(create(otherDomainKey));
    expect(e).toBeInstanceOf(BadRequestException);
    expect(e.message).toContain("KmsArn");
    expect((await create(key)).WorkflowId).toBeTruthy();
  });

  it("CreateFlow into a Customer Profiles domain refuses another key's kmsArn (ValidationException); omitted is fine", async () => {
    const create = (kmsArn?: string) =>
      t.appflow.send(
        new CreateFlowCommand({
          flowName: `kd-af-${++n}`,
          ...(kmsArn ? { kmsArn } : {}),
          triggerConfig: { triggerType: "OnDemand" },
          sourceFlowConfig: {
            connectorType: "Servicenow",
            connectorProfileName: "sn",
            sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
          },
          destinationFlowConfigList: [
            {
              connectorType: "CustomerProfiles",
              destinationConnectorProperties: {
                CustomerProfiles: { domainName: "kd", objectTypeName: TYPE },
              },
            },
          ],
          tasks: [
            { taskType: "Filter", sourceFields: ["sys_id"], connectorOperator: { ServiceNow: "PROJECTION" } },
          ],
        }),
      );
    const e = await failure(create(OTHER_KEY));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toContain("KmsArn");
    expect((await create(key)).flowStatus).toBe("Active");
    expect((await create()).flowStatus).toBe("Active");
  });

  it("UpdateFlow keeps the kmsArn checked at creation: a later key change of the domain does not refuse it", async () => {
    const DomainName = "kd-other";
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName,
        ObjectTypeName: TYPE,
        TemplateId: TYPE,
        Description: "u",
      }),
    );
    const flow = (kmsArn?: string) => ({
      flowName: "kd-rotating",
      ...(kmsArn ? { kmsArn } : {}),
      triggerConfig: { triggerType: "OnDemand" as const },
      sourceFlowConfig: {
        connectorType: "Servicenow" as const,
        connectorProfileName: "sn",
        sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
      },
      destinationFlowConfigList: [
        {
          connectorType: "CustomerProfiles" as const,
          destinationConnectorProperties: {
            CustomerProfiles: { domainName: DomainName, objectTypeName: TYPE },
          },
        },
      ],
      tasks: [
        {
          taskType: "Filter" as const,
          sourceFields: ["sys_id"],
          connectorOperator: { ServiceNow: "PROJECTION" as const },
        },
      ],
    });
    await t.appflow.send(new CreateFlowCommand(flow(otherDomainKey)));
    const kms = new KMSClient({ endpoint: t.endpoint, region: "us-east-1", credentials: t.credentials });
    try {
      const next = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await t.profiles.send(new UpdateDomainCommand({ DomainName, DefaultEncryptionKey: next }));
    } finally {
      kms.destroy();
    }
    const { kmsArn: _, ...update } = flow();
    expect((await t.appflow.send(new UpdateFlowCommand(update))).flowStatus).toBe("Active");
  });
});
