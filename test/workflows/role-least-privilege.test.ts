import {
  CreateIntegrationWorkflowCommand,
  DeleteWorkflowCommand,
  GetDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import {
  fillWorkflowRolePolicy,
  WORKFLOW_ROLE_TRUST_POLICY,
} from "../../src/security/iam/workflow-role-policy.ts";
import { START, sandbox } from "../connectors/servicenow/harness.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { failure } from "../helpers/failure.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { type SdkStack, startWorkflowStack } from "./sdk-stack.ts";

const ACCOUNT = "000000000000";
const DAY = 86_400_000;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
/** ErrorDescription holds at most 255 characters. */
const clip = (s: string) => (s.length <= 255 ? s : `${s.slice(0, 252)}...`);
const flowArn = (name: string) => `arn:aws:appflow:us-east-1:${ACCOUNT}:flow/${name}`;

/**
 * Which action each of the seed's statements is the only one to allow, as the workflow first needs it:
 * with that statement removed the workflow fails naming it (and its resource).
 */
const FIRST_NEEDED: Record<string, (o: { stepFlow: string; key: string }) => [string, string]> = {
  CreateFlowResources: (o) => ["appflow:CreateFlow", flowArn(o.stepFlow)],
  UseConnectorResources: () => [
    "appflow:UseConnectorProfile",
    `arn:aws:appflow:us-east-1:${ACCOUNT}:connectorprofile/sn`,
  ],
  AccessFlowResources: (o) => ["appflow:DescribeFlow", flowArn(o.stepFlow)],
  KMSAppflow: (o) => ["kms:ListGrants", o.key],
  KMSCustomerProfiles: (o) => ["kms:CreateGrant", o.key],
};

// Issue 16, point 3: a workflow acts as its role. The seed's least-privilege policy, verbatim with the
// domain's key and the region filled in, is exactly enough: the workflow completes with it, and fails
// naming the refused action when any one of its statements is missing.
describeEachDialect("a workflow acts as its role: the seed's least-privilege policy", (dialect) => {
  let sb: ServiceNowSandbox;
  let stack: SdkStack;
  let iam: IAMClient;
  let keyArn: string;
  let n = 0;

  const iamSend = (command: unknown) => {
    iam.config.systemClockOffset = sb.world.clock.now() - Date.now();
    return (iam as unknown as { send(c: unknown): Promise<unknown> }).send(command);
  };

  /** A role that trusts profile.amazonaws.com with `policy` inline. */
  async function role(name: string, policy: string): Promise<string> {
    await iamSend(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY }),
    );
    await iamSend(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: "least-privilege", PolicyDocument: policy }),
    );
    return roleArn(name);
  }

  /** Creates a workflow as the root passing `arn`; returns its id and its first step's flow name. */
  async function create(arn: string): Promise<{ id: string; stepFlow: string }> {
    const flowName = `lp-flow-${++n}`;
    const { WorkflowId } = await stack.send<{ WorkflowId: string }>(
      stack.profiles,
      new CreateIntegrationWorkflowCommand({
        ...appflowWorkflow({
          domain: "wf",
          kmsArn: await stack.domainKey("wf"),
          roleArn: arn,
          objectType: "Servicenow-sys_user",
          flowName,
          source: {
            connectorType: "Servicenow",
            propertyKey: "ServiceNow",
            connectorProfileName: "sn",
            object: "sys_user",
            cursorField: "sys_updated_on",
            fields: ["sys_id", "email", "sys_updated_on"],
          },
          first: new Date(START - 90 * DAY),
        }),
      }),
    );
    return { id: WorkflowId, stepFlow: `${flowName}-wf${WorkflowId.slice(0, 12)}-1` };
  }

  beforeAll(async () => {
    sb = await sandbox(5);
    stack = await startWorkflowStack(dialect, sb.world.clock, serviceNowConnectorProfile("sn", sb), "wf");
    iam = new IAMClient({
      endpoint: stack.endpoint,
      region: "us-east-1",
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    const domain = await stack.send<{ DefaultEncryptionKey: string }>(
      stack.profiles,
      new GetDomainCommand({ DomainName: "wf" }),
    );
    keyArn = domain.DefaultEncryptionKey;
    expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\//);
  });
  afterAll(async () => {
    iam?.destroy();
    await stack?.close();
    await sb?.close();
  });

  it("with the seed's policy verbatim (the domain's key and region filled in) the workflow runs to COMPLETE", async () => {
    const policy = fillWorkflowRolePolicy(keyArn, "us-east-1");
    expect(policy).not.toContain("{{");
    const { id } = await create(await role("LeastPrivilege", policy));
    const done = await stack.driveWorkflow("wf", id, "COMPLETE");
    expect(done.Status).toBe("COMPLETE");
    expect(done.ErrorDescription).toBeUndefined();
    // Its mutating actions are in the audit trail under the role's session.
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/LeastPrivilege/profile-wf-${id.slice(0, 12)}`;
    const audit = stack.server.iam.audit;
    const { events } = await audit.list(stack.server.database.db, { principalArn: session, limit: 1000 });
    const actions = new Set(events.map((e) => e.action));
    for (const a of [
      "appflow:CreateFlow",
      "appflow:TagResource",
      "profile:PutIntegration",
      "kms:CreateGrant",
      "appflow:StartFlow",
    ])
      expect(actions).toContain(a);
    expect(events.every((e) => e.decision === "Allow" && e.requestId === `workflow:${id}`)).toBe(true);
    // Its steps' flows and integrations are deleted as the role too (profile:DeleteIntegration, appflow:DeleteFlow).
    await stack.send(stack.profiles, new DeleteWorkflowCommand({ DomainName: "wf", WorkflowId: id }));
    const deleted = await audit.list(stack.server.database.db, {
      principalArn: session,
      action: "appflow:DeleteFlow",
      limit: 10,
    });
    expect(deleted.events.length).toBeGreaterThan(0);
  });

  it("DeleteWorkflow deletes the steps as the role: without AccessFlowResources it is refused naming the role's session", async () => {
    const doc = JSON.parse(fillWorkflowRolePolicy(keyArn, "us-east-1")) as { Statement: { Sid: string }[] };
    doc.Statement = doc.Statement.filter((s) => s.Sid !== "AccessFlowResources");
    const { id, stepFlow } = await create(await role("NoDelete", JSON.stringify(doc)));
    expect((await stack.driveWorkflow("wf", id, "FAILED", { rounds: 5 })).Status).toBe("FAILED");
    const e = await failure(
      stack.send(stack.profiles, new DeleteWorkflowCommand({ DomainName: "wf", WorkflowId: id })),
    );
    expect(e.name).toBe("AccessDeniedException");
    expect(e.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/NoDelete/profile-wf-${id.slice(0, 12)} is not authorized to perform: profile:DeleteIntegration on resource: arn:aws:profile:us-east-1:${ACCOUNT}:domains/wf/integrations/${flowArn(stepFlow)} because no identity-based policy allows the profile:DeleteIntegration action`,
    );
    // The refused decision is in the audit trail too.
    const { events } = await stack.server.iam.audit.list(stack.server.database.db, {
      action: "profile:DeleteIntegration",
      decision: "ImplicitDeny",
      limit: 10,
    });
    expect(events.map((x) => x.principalArn)).toContain(
      `arn:aws:sts::${ACCOUNT}:assumed-role/NoDelete/profile-wf-${id.slice(0, 12)}`,
    );
  });

  it("a role with no policy at all cannot even create the first step's flow", async () => {
    const { id, stepFlow } = await create(
      await role(
        "Empty",
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", Action: "iam:*", Resource: "*" }],
        }),
      ),
    );
    const wf = await stack.workflow("wf", id);
    expect(wf.Status).toBe("FAILED");
    expect(wf.ErrorDescription).toContain(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Empty/profile-wf-${id.slice(0, 12)} is not authorized to perform: appflow:CreateFlow on resource: ${flowArn(stepFlow)}`,
    );
    expect(await stack.steps("wf", id)).toEqual([]);
  });

  it("a role deleted after CreateIntegrationWorkflow cannot be assumed: the workflow fails at its next action", async () => {
    const arn = await role("Ephemeral", fillWorkflowRolePolicy(keyArn, "us-east-1"));
    const { id } = await create(arn);
    expect((await stack.workflow("wf", id)).Status).toBe("NOT_STARTED");
    await iamSend(new DeleteRolePolicyCommand({ RoleName: "Ephemeral", PolicyName: "least-privilege" }));
    await iamSend(new DeleteRoleCommand({ RoleName: "Ephemeral" }));
    const wf = await stack.driveWorkflow("wf", id, "FAILED", { rounds: 5 });
    expect(wf.Status).toBe("FAILED");
    expect(wf.ErrorDescription).toBe(
      `Customer Profiles is unable to assume role ${arn} to perform appflow:DescribeFlow: the role does not exist any more.`,
    );
    // Nothing to act as: DeleteWorkflow needs only the caller's own right.
    await stack.send(stack.profiles, new DeleteWorkflowCommand({ DomainName: "wf", WorkflowId: id }));
  });

  it("a workflow from before roles were required (acts_as_role = 0) acts as its role too: a missing one fails it", async () => {
    const arn = await role("Legacy", fillWorkflowRolePolicy(keyArn, "us-east-1"));
    const { id } = await create(arn);
    // As the root's old legacy mode stored it: the role named, nothing authorized.
    await stack.server.database.db
      .updateTable("workflows")
      .set({ acts_as_role: 0 })
      .where("workflow_id", "=", id)
      .execute();
    await iamSend(new DeleteRolePolicyCommand({ RoleName: "Legacy", PolicyName: "least-privilege" }));
    await iamSend(new DeleteRoleCommand({ RoleName: "Legacy" }));
    const wf = await stack.driveWorkflow("wf", id, "FAILED", { rounds: 5 });
    expect(wf.Status).toBe("FAILED");
    expect(wf.ErrorDescription).toBe(
      `Customer Profiles is unable to assume role ${arn} to perform appflow:DescribeFlow: the role does not exist any more.`,
    );
  });

  it("the trust policy is checked at every action: changed by UpdateAssumeRolePolicy, the workflow fails naming sts:AssumeRole", async () => {
    const arn = await role("Fickle", fillWorkflowRolePolicy(keyArn, "us-east-1"));
    const { id } = await create(arn);
    expect((await stack.workflow("wf", id)).Status).toBe("NOT_STARTED");
    // Another service may assume it now; Customer Profiles may not.
    await iamSend(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "Fickle",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "appflow.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const reason = `Customer Profiles is unable to assume role ${arn} to perform appflow:DescribeFlow: its trust policy does not allow profile.amazonaws.com to perform sts:AssumeRole.`;
    const wf = await stack.driveWorkflow("wf", id, "FAILED", { rounds: 5 });
    expect(wf.Status).toBe("FAILED");
    expect(wf.ErrorDescription).toBe(reason);
    // GetWorkflowSteps shows the reason on the step that needed the role.
    const steps = await stack.steps("wf", id);
    expect(steps.find((s) => s.Status === "FAILED")?.ExecutionMessage).toBe(reason);
    // Nothing was done as the role after the change: no audit row of its session is an allowed StartFlow.
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Fickle/profile-wf-${id.slice(0, 12)}`;
    const { events } = await stack.server.iam.audit.list(stack.server.database.db, {
      principalArn: session,
      action: "appflow:StartFlow",
      limit: 10,
    });
    expect(events).toEqual([]);
  });

  describe("with one statement removed the workflow fails naming the refused action", () => {
    for (const sid of Object.keys(FIRST_NEEDED)) {
      it(`without ${sid}`, async () => {
        const doc = JSON.parse(fillWorkflowRolePolicy(keyArn, "us-east-1")) as {
          Statement: { Sid: string }[];
        };
        doc.Statement = doc.Statement.filter((s) => s.Sid !== sid);
        expect(doc.Statement).toHaveLength(4);
        const name = `No${sid}`;
        const { id, stepFlow } = await create(await role(name, JSON.stringify(doc)));
        const wf = await stack.driveWorkflow("wf", id, "FAILED", { rounds: 10 });
        expect(wf.Status).toBe("FAILED");
        const [action, resource] = FIRST_NEEDED[sid]!({ stepFlow, key: keyArn });
        expect(wf.ErrorDescription).toBe(
          clip(
            `User: arn:aws:sts::${ACCOUNT}:assumed-role/${name}/profile-wf-${id.slice(0, 12)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
          ),
        );
        expect(wf.ErrorDescription).toContain(`perform: ${action} on resource: ${resource}`);
      });
    }
  });
});
