import {
  ConnectorAuthenticationException,
  CreateConnectorProfileCommand,
  DescribeConnectorProfilesCommand,
  DescribeFlowCommand,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  DeleteIntegrationCommand,
  GetDomainCommand,
  GetIntegrationCommand,
  ListIntegrationsCommand,
  PutIntegrationCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { startServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { liveServiceNowUsers, serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";

describeEachDialect("ServiceNow integration through the AWS SDK", (dialect) => {
  let t: TestServer;
  let sb: ServiceNowSandbox;
  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 5, people: 200 });
    t = await startTestServer(dialect, { workers: true });
  });
  afterAll(async () => {
    await t?.close();
    await sb?.close();
  });

  it("connects, integrates sys_user, ingests exactly the sandbox's users, and flow details tell what happened", async () => {
    const bad = await t.appflow
      .send(
        new CreateConnectorProfileCommand({
          connectorProfileName: "sn-bad",
          connectorType: "Servicenow",
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { ServiceNow: { instanceUrl: sb.url } },
            connectorProfileCredentials: {
              ServiceNow: { username: sb.credentials.username, password: "wrong" },
            },
          },
        }),
      )
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConnectorAuthenticationException);

    await t.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
    const described = await t.appflow.send(
      new DescribeConnectorProfilesCommand({ connectorProfileNames: ["sn"] }),
    );
    expect(described.connectorProfileDetails?.[0]?.connectorProfileProperties?.ServiceNow?.instanceUrl).toBe(
      sb.url,
    );
    expect(JSON.stringify(described)).not.toContain(sb.credentials.password);
    const stored = await t.server.database.db
      .selectFrom("connector_profiles")
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(stored.credentials_sealed).not.toContain(sb.credentials.password);

    await t.profiles.send(new CreateDomainCommand({ DomainName: "sn-domain", DefaultExpirationDays: 365 }));
    const put = await t.profiles.send(
      new PutIntegrationCommand({
        DomainName: "sn-domain",
        ObjectTypeName: "Servicenow-sys_user",
        FlowDefinition: {
          FlowName: "sn-users",
          KmsArn: (await t.profiles.send(new GetDomainCommand({ DomainName: "sn-domain" })))
            .DefaultEncryptionKey!,
          SourceFlowConfig: {
            ConnectorType: "Servicenow",
            ConnectorProfileName: "sn",
            SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
            IncrementalPullConfig: { DatetimeTypeFieldName: "sys_updated_on" },
          },
          Tasks: [
            {
              TaskType: "Filter",
              SourceFields: ["sys_id", "first_name", "last_name", "email", "phone", "sys_updated_on"],
              ConnectorOperator: { ServiceNow: "PROJECTION" },
            },
          ],
          TriggerConfig: {
            TriggerType: "Scheduled",
            TriggerProperties: {
              Scheduled: {
                ScheduleExpression: "rate(1minutes)",
                DataPullMode: "Incremental",
                FirstExecutionFrom: new Date(sb.world.historyStart),
              },
            },
          },
        },
      }),
    );
    expect(put.Uri).toBe("arn:aws:appflow:us-east-1:000000000000:flow/sn-users");
    const got = await t.profiles.send(new GetIntegrationCommand({ DomainName: "sn-domain", Uri: put.Uri }));
    expect(got.ObjectTypeName).toBe("Servicenow-sys_user");
    expect(
      (await t.profiles.send(new ListIntegrationsCommand({ DomainName: "sn-domain" }))).Items,
    ).toHaveLength(1);

    const record = await waitFor<ExecutionRecord>(
      async () => {
        const r = await t.appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName: "sn-users" }));
        return r.flowExecutions?.find(
          (e) => e.executionStatus === "Successful" || e.executionStatus === "Error",
        );
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "the execution to end" },
    );
    expect(record.executionStatus).toBe("Successful");
    const users = await liveServiceNowUsers(sb);
    expect(users.size).toBeGreaterThan(20);
    expect(record.executionResult?.recordsProcessed).toBe(users.size);
    expect(record.executionResult?.errorInfo?.putFailuresCount).toBe(0);
    expect(record.dataPullStartTime?.getTime()).toBe(sb.world.historyStart);

    const stats = (await t.profiles.send(new GetDomainCommand({ DomainName: "sn-domain" }))).Stats;
    expect(stats?.ObjectCount).toBe(users.size);
    const one = [...users][0]!;
    const found = await t.profiles.send(
      new SearchProfilesCommand({ DomainName: "sn-domain", KeyName: "_serviceNowSystemId", Values: [one] }),
    );
    expect(found.Items).toHaveLength(1);
    expect(found.Items?.[0]?.Attributes?.["ServiceNowSystemId"]).toBe(one);

    const flow = await t.appflow.send(new DescribeFlowCommand({ flowName: "sn-users" }));
    expect(flow.flowStatus).toBe("Active");
    expect(flow.lastRunExecutionDetails?.mostRecentExecutionStatus).toBe("Successful");

    // Deleting the integration removes its flow; the ingested objects stay.
    await t.profiles.send(new DeleteIntegrationCommand({ DomainName: "sn-domain", Uri: put.Uri }));
    const gone = await t.appflow
      .send(new DescribeFlowCommand({ flowName: "sn-users" }))
      .catch((e: Error) => e);
    expect((gone as Error).name).toBe("ResourceNotFoundException");
    expect(
      (await t.profiles.send(new GetDomainCommand({ DomainName: "sn-domain" }))).Stats?.ObjectCount,
    ).toBe(users.size);
  });
});
