import {
  ConflictException,
  CreateConnectorProfileCommand,
  CreateFlowCommand,
  type CreateFlowCommandInput,
  DeleteConnectorProfileCommand,
  DeleteFlowCommand,
  DescribeConnectorEntityCommand,
  DescribeConnectorProfilesCommand,
  DescribeConnectorsCommand,
  DescribeFlowCommand,
  ListConnectorEntitiesCommand,
  ListFlowsCommand,
  ResourceNotFoundException,
  StartFlowCommand,
  StopFlowCommand,
  UnsupportedOperationException,
  UpdateFlowCommand,
  ValidationException,
} from "@aws-sdk/client-appflow";
import { CreateDomainCommand, DeleteDomainCommand } from "@aws-sdk/client-customer-profiles";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException as SecretNotFound,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

function flowInput(name: string, over: Partial<CreateFlowCommandInput> = {}): CreateFlowCommandInput {
  return {
    flowName: name,
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
          CustomerProfiles: { domainName: "flows-d", objectTypeName: "Servicenow-sys_user" },
        },
      },
    ],
    tasks: [
      {
        taskType: "Filter",
        sourceFields: ["sys_id", "email"],
        connectorOperator: { ServiceNow: "PROJECTION" },
      },
    ],
    ...over,
  };
}

async function err(p: Promise<unknown>): Promise<Error & { message: string }> {
  return p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: Error) => e,
  );
}

describeEachDialect("AppFlow and Secrets Manager operations through the SDK", (dialect) => {
  let t: TestServer;
  let sb: ServiceNowSandbox;
  let secrets: SecretsManagerClient;
  /** The flows' KmsArn: flows-d's key (a flow's KmsArn must be its domain's DefaultEncryptionKey). */
  let kms: string;
  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 3, people: 40 });
    t = await startTestServer(dialect);
    secrets = new SecretsManagerClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: t.credentials,
      maxAttempts: 1,
    });
    await t.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
    kms = (
      await t.profiles.send(new CreateDomainCommand({ DomainName: "flows-d", DefaultExpirationDays: 30 }))
    ).DefaultEncryptionKey!;
  });
  afterAll(async () => {
    secrets?.destroy();
    await t?.close();
    await sb?.close();
  });

  it("Secrets Manager: create, read, rotate, describe, delete — sealed at rest", async () => {
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: "sf-app",
        SecretString: JSON.stringify({ clientId: "id1", clientSecret: "s3cr3t-value" }),
      }),
    );
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:sf-app-.{6}$/);
    expect(
      (await secrets.send(new GetSecretValueCommand({ SecretId: created.ARN! }))).SecretString,
    ).toContain("s3cr3t-value");
    const raw = await t.server.database.db.selectFrom("secrets").selectAll().executeTakeFirstOrThrow();
    expect(raw.secret_sealed).not.toContain("s3cr3t-value");
    await secrets.send(new PutSecretValueCommand({ SecretId: "sf-app", SecretString: "v2" }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: "sf-app" }))).SecretString).toBe("v2");
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: "sf-app" }))).Name).toBe("sf-app");
    expect(
      await err(secrets.send(new CreateSecretCommand({ Name: "sf-app", SecretString: "x" }))),
    ).toBeInstanceOf(ResourceExistsException);
    await secrets.send(new DeleteSecretCommand({ SecretId: "sf-app", ForceDeleteWithoutRecovery: true }));
    expect(await err(secrets.send(new GetSecretValueCommand({ SecretId: "sf-app" })))).toBeInstanceOf(
      SecretNotFound,
    );
  });

  it("connector profiles never return credentials; duplicates and bad members are typed errors", async () => {
    const d = await t.appflow.send(new DescribeConnectorProfilesCommand({ connectorType: "Servicenow" }));
    expect(d.connectorProfileDetails?.map((p) => p.connectorProfileName)).toEqual(["sn"]);
    expect(JSON.stringify(d)).not.toContain(sb.credentials.password);
    const dup = await err(
      t.appflow.send(
        new CreateConnectorProfileCommand({
          connectorProfileName: "sn",
          connectorType: "Servicenow",
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { ServiceNow: { instanceUrl: sb.url } },
            connectorProfileCredentials: { ServiceNow: { username: "u", password: "p" } },
          },
        }),
      ),
    );
    expect(dup).toBeInstanceOf(ConflictException);
    const bad = await err(
      t.appflow.send(
        new CreateConnectorProfileCommand({
          connectorProfileName: "sn2",
          connectorType: "Servicenow",
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { ServiceNow: { instanceUrl: "not a url" } },
            connectorProfileCredentials: { ServiceNow: { username: "u", password: "p" } },
          },
        }),
      ),
    );
    expect(bad).toBeInstanceOf(ValidationException);
    expect(bad.message).toContain("connectorProfileConfig.connectorProfileProperties.ServiceNow.instanceUrl");
  });

  it("CreateFlow validates tasks, operators and references as AppFlow does", async () => {
    const noProjection = await err(t.appflow.send(new CreateFlowCommand(flowInput("f-bad", { tasks: [] }))));
    expect(noProjection).toBeInstanceOf(ValidationException);
    expect(noProjection.message).toContain("You must specify a projection task or a MAP_ALL task");
    const foreignOp = await err(
      t.appflow.send(
        new CreateFlowCommand(
          flowInput("f-bad", {
            tasks: [
              {
                taskType: "Filter",
                sourceFields: ["sys_id"],
                connectorOperator: { ServiceNow: "PROJECTION" },
              },
              {
                taskType: "Filter",
                sourceFields: ["sys_id"],
                connectorOperator: { ServiceNow: "BETWEEN_ISH" as "BETWEEN" },
                taskProperties: {},
              },
            ],
          }),
        ),
      ),
    );
    expect(foreignOp).toBeInstanceOf(ValidationException);
    expect(foreignOp.message).toContain("is not supported by the Servicenow connector");
    const noDomain = await err(
      t.appflow.send(
        new CreateFlowCommand(
          flowInput("f-bad", {
            destinationFlowConfigList: [
              {
                connectorType: "CustomerProfiles",
                destinationConnectorProperties: {
                  CustomerProfiles: { domainName: "nope", objectTypeName: "Servicenow-sys_user" },
                },
              },
            ],
          }),
        ),
      ),
    );
    expect(noDomain).toBeInstanceOf(ResourceNotFoundException);
    const noProfile = await err(
      t.appflow.send(
        new CreateFlowCommand(
          flowInput("f-bad", {
            sourceFlowConfig: {
              connectorType: "Servicenow",
              connectorProfileName: "missing",
              sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
            },
          }),
        ),
      ),
    );
    expect(noProfile).toBeInstanceOf(ResourceNotFoundException);
    // Without an object type the run could only fail ("Object type  does not exist"): refused here instead.
    const noObjectType = await err(
      t.appflow.send(
        new CreateFlowCommand(
          flowInput("f-bad", {
            destinationFlowConfigList: [
              {
                connectorType: "CustomerProfiles",
                destinationConnectorProperties: { CustomerProfiles: { domainName: "flows-d" } },
              },
            ],
          }),
        ),
      ),
    );
    expect(noObjectType).toBeInstanceOf(ValidationException);
    expect(noObjectType.message).toContain(
      "destinationFlowConfigList.0.destinationConnectorProperties.CustomerProfiles.objectTypeName is required",
    );
    const list = await t.appflow.send(new ListFlowsCommand({}));
    expect(list.flows?.map((f) => f.flowName)).not.toContain("f-bad");
  });

  it("flow lifecycle: Draft until StartFlow, StopFlow, OnDemand rules, paging, clientToken, DeleteFlow", async () => {
    const scheduled = flowInput("f-sched", {
      kmsArn: kms,
      triggerConfig: {
        triggerType: "Scheduled",
        triggerProperties: { Scheduled: { scheduleExpression: "rate(1hours)", dataPullMode: "Incremental" } },
      },
      sourceFlowConfig: {
        connectorType: "Servicenow",
        connectorProfileName: "sn",
        sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
        incrementalPullConfig: { datetimeTypeFieldName: "sys_updated_on" },
      },
      tags: { team: "cx" },
    });
    const created = await t.appflow.send(new CreateFlowCommand({ ...scheduled, clientToken: "tok-1" }));
    expect(created.flowStatus).toBe("Draft");
    // The same clientToken with the same request replays; with a different request it conflicts.
    expect(
      (await t.appflow.send(new CreateFlowCommand({ ...scheduled, clientToken: "tok-1" }))).flowArn,
    ).toBe(created.flowArn);
    expect(
      await err(
        t.appflow.send(new CreateFlowCommand({ ...scheduled, description: "other", clientToken: "tok-1" })),
      ),
    ).toBeInstanceOf(ConflictException);
    expect(await err(t.appflow.send(new CreateFlowCommand(scheduled)))).toBeInstanceOf(ConflictException);

    expect((await t.appflow.send(new StartFlowCommand({ flowName: "f-sched" }))).flowStatus).toBe("Active");
    const described = await t.appflow.send(new DescribeFlowCommand({ flowName: "f-sched" }));
    expect(described).toMatchObject({ flowStatus: "Active", kmsArn: kms, tags: { team: "cx" } });
    expect(described.triggerConfig?.triggerProperties?.Scheduled?.scheduleExpression).toBe("rate(1hours)");
    expect((await t.appflow.send(new StopFlowCommand({ flowName: "f-sched" }))).flowStatus).toBe("Suspended");

    await t.appflow.send(new CreateFlowCommand(flowInput("f-od")));
    expect(await err(t.appflow.send(new StopFlowCommand({ flowName: "f-od" })))).toBeInstanceOf(
      UnsupportedOperationException,
    );
    await t.appflow.send(
      new UpdateFlowCommand({
        flowName: "f-od",
        description: "users",
        triggerConfig: { triggerType: "OnDemand" },
        sourceFlowConfig: flowInput("x").sourceFlowConfig!,
        destinationFlowConfigList: flowInput("x").destinationFlowConfigList!,
        tasks: flowInput("x").tasks!,
      }),
    );
    expect((await t.appflow.send(new DescribeFlowCommand({ flowName: "f-od" }))).description).toBe("users");

    const page1 = await t.appflow.send(new ListFlowsCommand({ maxResults: 1 }));
    expect(page1.flows).toHaveLength(1);
    const page2 = await t.appflow.send(new ListFlowsCommand({ maxResults: 1, nextToken: page1.nextToken }));
    expect(page2.flows?.[0]?.flowName).not.toBe(page1.flows?.[0]?.flowName);

    expect(
      await err(t.appflow.send(new DeleteConnectorProfileCommand({ connectorProfileName: "sn" }))),
    ).toBeInstanceOf(ConflictException);
    await t.appflow.send(new DeleteFlowCommand({ flowName: "f-od" }));
    expect(await err(t.appflow.send(new DescribeFlowCommand({ flowName: "f-od" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("DescribeConnectors / ListConnectorEntities / DescribeConnectorEntity come from the connectors", async () => {
    const d = await t.appflow.send(
      new DescribeConnectorsCommand({ connectorTypes: ["Servicenow", "Zendesk"] }),
    );
    expect(Object.keys(d.connectorConfigurations ?? {}).sort()).toEqual(["Servicenow", "Zendesk"]);
    expect(d.connectorConfigurations?.["Zendesk"]?.supportedOperators).not.toContain("BETWEEN");
    expect(d.connectorConfigurations?.["Servicenow"]?.supportedOperators).toContain("BETWEEN");
    const entities = await t.appflow.send(new ListConnectorEntitiesCommand({ connectorProfileName: "sn" }));
    expect(entities.connectorEntityMap?.["Objects"]?.map((o) => o.name)).toEqual(
      expect.arrayContaining(["sys_user", "incident"]),
    );
    const fields = await t.appflow.send(
      new DescribeConnectorEntityCommand({ connectorProfileName: "sn", connectorEntityName: "sys_user" }),
    );
    const ids = fields.connectorEntityFields?.map((f) => f.identifier) ?? [];
    expect(ids).toEqual(expect.arrayContaining(["sys_id", "email", "sys_updated_on"]));
    const byId = new Map(fields.connectorEntityFields?.map((f) => [f.identifier, f]));
    expect(byId.get("sys_id")?.isPrimaryKey).toBe(true);
    // `v1` is the only version botocore models: the AWS CLI and boto3 drop anything else.
    const updated = byId.get("sys_updated_on")?.supportedFieldTypeDetails?.v1;
    expect(updated?.fieldType).toBe("glide_date_time");
    expect(updated?.filterOperators).toEqual(expect.arrayContaining(["BETWEEN", "GREATER_THAN", "EQUAL_TO"]));
    const email = byId.get("email")?.supportedFieldTypeDetails?.v1;
    expect(email?.filterOperators).toEqual(["EQUAL_TO", "NOT_EQUAL_TO", "CONTAINS"]);
    expect(byId.get("active")?.supportedFieldTypeDetails?.v1).toEqual({
      fieldType: "boolean",
      filterOperators: ["EQUAL_TO", "NOT_EQUAL_TO"],
      supportedValues: ["true", "false"],
    });
  });

  it("DeleteDomain removes the flows that write into it", async () => {
    await t.profiles.send(new CreateDomainCommand({ DomainName: "short-lived", DefaultExpirationDays: 30 }));
    await t.appflow.send(
      new CreateFlowCommand(
        flowInput("f-short", {
          destinationFlowConfigList: [
            {
              connectorType: "CustomerProfiles",
              destinationConnectorProperties: {
                CustomerProfiles: { domainName: "short-lived", objectTypeName: "Servicenow-sys_user" },
              },
            },
          ],
        }),
      ),
    );
    await t.profiles.send(new DeleteDomainCommand({ DomainName: "short-lived" }));
    expect(await err(t.appflow.send(new DescribeFlowCommand({ flowName: "f-short" })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});
