import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  CustomerProfilesClient,
} from "@aws-sdk/client-customer-profiles";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AuditEvent } from "../../src/security/iam/audit-log.ts";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const ACCOUNT = "000000000000";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/audited`;
const requestIdOf = (e: unknown) => (e as { $metadata: { requestId: string } }).$metadata.requestId;

// Issue 16, point 5: STS decides AssumeRole and GetSessionToken itself, and CreateIntegrationWorkflow
// decides iam:PassRole itself — those decisions are in the audit trail too, allowed and denied.
describeEachDialect("the audit trail of STS's and iam:PassRole's own decisions", (dialect) => {
  let t: TestServer;
  const clients = sdkClients(() => t.endpoint);
  beforeAll(async () => {
    t = await startTestServer(dialect);
    const iam = clients.client(IAMClient, t.credentials);
    await iam.send(
      new CreateRoleCommand({
        RoleName: "audited",
        AssumeRolePolicyDocument: policyDocument(
          { Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" },
          { Effect: "Allow", Principal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" },
        ),
      }),
    );
    await t.profiles.send(new CreateDomainCommand({ DomainName: "audit-sts", DefaultExpirationDays: 30 }));
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  const events = async (action: string): Promise<AuditEvent[]> =>
    (await t.server.iam.audit.list(t.server.database.db, { action, limit: 100 })).events;
  /** A new user (with `policy` when given) and its access key. */
  const user = (name: string, policy?: string) =>
    userWithKey(clients.client(IAMClient, t.credentials), name, policy);

  it("sts:AssumeRole: an allowed and a denied call each leave a row with the request id", async () => {
    const assumer = clients.client(
      STSClient,
      await user("assumer", policyDocument({ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE })),
    );
    const ok = await assumer.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1" }));
    const stranger = clients.client(STSClient, await user("stranger"));
    const e = await failure(stranger.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s2" })));
    expect(e.name).toBe("AccessDenied");
    const rows = await events("sts:AssumeRole");
    expect(rows.find((r) => r.principalArn.endsWith(":user/assumer"))).toMatchObject({
      resource: ROLE,
      decision: "Allow",
      requestId: ok.$metadata.requestId,
    });
    expect(rows.find((r) => r.principalArn.endsWith(":user/stranger"))).toMatchObject({
      resource: ROLE,
      decision: "ImplicitDeny",
      requestId: requestIdOf(e),
    });
    // A session asking for a session token is refused: recorded as well.
    const session = clients.client(STSClient, {
      accessKeyId: ok.Credentials!.AccessKeyId!,
      secretAccessKey: ok.Credentials!.SecretAccessKey!,
      sessionToken: ok.Credentials!.SessionToken!,
    });
    const refused = await failure(session.send(new GetSessionTokenCommand({})));
    const tokens = await events("sts:GetSessionToken");
    expect(tokens.find((r) => r.principalArn.endsWith(":assumed-role/audited/s1"))).toMatchObject({
      decision: "ImplicitDeny",
      requestId: requestIdOf(refused),
    });
  });

  it("sts:GetSessionToken: an allowed call leaves a row", async () => {
    const tokens = clients.client(STSClient, await user("tokens"));
    const ok = await tokens.send(new GetSessionTokenCommand({}));
    const rows = await events("sts:GetSessionToken");
    expect(rows.find((r) => r.requestId === ok.$metadata.requestId)).toMatchObject({
      resource: "*",
      decision: "Allow",
    });
  });

  it("iam:PassRole refused at CreateIntegrationWorkflow leaves a row", async () => {
    // Allowed profile:* (the edge lets the call through) but not iam:PassRole on the role.
    const profiles = clients.client(
      CustomerProfilesClient,
      await user("passer", policyDocument({ Effect: "Allow", Action: "profile:*", Resource: "*" })),
    );
    const e = await failure(
      profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: "audit-sts",
          WorkflowType: "APPFLOW_INTEGRATION",
          ObjectTypeName: "Servicenow-sys_user",
          RoleArn: ROLE,
          IntegrationConfig: {
            AppflowIntegration: {
              FlowDefinition: {
                FlowName: "audit-flow",
                KmsArn: "arn:aws:kms:us-east-1:000000000000:key/none",
                SourceFlowConfig: {
                  ConnectorType: "Servicenow",
                  ConnectorProfileName: "sn",
                  IncrementalPullConfig: { DatetimeTypeFieldName: "sys_updated_on" },
                  SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
                },
                Tasks: [
                  {
                    TaskType: "Filter",
                    SourceFields: ["sys_id"],
                    ConnectorOperator: { ServiceNow: "PROJECTION" },
                  },
                ],
                TriggerConfig: {
                  TriggerType: "Scheduled",
                  TriggerProperties: {
                    Scheduled: {
                      ScheduleExpression: "rate(1hours)",
                      DataPullMode: "Incremental",
                      FirstExecutionFrom: new Date(Date.now() - 86_400_000),
                    },
                  },
                },
              },
            },
          },
        }),
      ),
    );
    expect(e.name).toBe("AccessDeniedException");
    expect(e.message).toContain("iam:PassRole");
    const rows = await events("iam:PassRole");
    expect(rows.find((r) => r.principalArn.endsWith(":user/passer"))).toMatchObject({
      resource: ROLE,
      decision: "ImplicitDeny",
      requestId: requestIdOf(e),
    });
  });
});
