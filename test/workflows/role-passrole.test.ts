import { ListTagsForResourceCommand } from "@aws-sdk/client-appflow";
import {
  CreateIntegrationWorkflowCommand,
  CustomerProfilesClient,
  GetWorkflowCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  type AccessKey,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { fillWorkflowRolePolicy } from "../../src/security/iam/workflow-role-policy.ts";
import { START, sandbox } from "../connectors/servicenow/harness.ts";
import { appflowWorkflow } from "../helpers/appflow-workflow.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { type SdkStack, startWorkflowStack } from "./sdk-stack.ts";

const ACCOUNT = "000000000000";
const DAY = 86_400_000;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trustedBy = (principal: unknown) =>
  doc({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" });
const PROFILE_ALL = { Effect: "Allow", Action: "profile:*", Resource: "*" };
const missing = (arn: string) =>
  `Role ${arn} does not exist: Customer Profiles assumes this role to create resources on your behalf, so it must be a role of account ${ACCOUNT} whose trust policy allows profile.amazonaws.com to perform sts:AssumeRole.`;

type Failure = Error & { $metadata?: { httpStatusCode?: number } };
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    return e as Failure;
  }
  throw new Error("expected the call to fail");
}

// CreateIntegrationWorkflow passes its RoleArn to Customer Profiles: the role must exist and trust
// profile.amazonaws.com, and the caller needs iam:PassRole on it (the account root always has it).
describeEachDialect("a workflow's role: trust and iam:PassRole", (dialect) => {
  let sb: ServiceNowSandbox;
  let stack: SdkStack;
  let iam: IAMClient;
  const clients: { destroy(): void }[] = [];
  let n = 0;

  const create = async (client: CustomerProfilesClient, role: string) =>
    stack.send<{ WorkflowId: string }>(
      client,
      new CreateIntegrationWorkflowCommand({
        ...appflowWorkflow({
          domain: "wf",
          kmsArn: await stack.domainKey("wf"),
          roleArn: role,
          objectType: "Servicenow-sys_user",
          flowName: `role-flow-${++n}`,
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

  /** IAM signs at the shared clock's time too (the SDK moves its offset after each answer). */
  const iamSend = (command: unknown) => {
    iam.config.systemClockOffset = sb.world.clock.now() - Date.now();
    return (iam as unknown as { send(c: unknown): Promise<{ AccessKey?: AccessKey }> }).send(command);
  };

  /** A user with an inline policy of `statements`, and a Customer Profiles client signing as it. */
  async function userClient(name: string, ...statements: unknown[]): Promise<CustomerProfilesClient> {
    await iamSend(new CreateUserCommand({ UserName: name }));
    await iamSend(
      new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: doc(...statements) }),
    );
    const { AccessKey: k } = await iamSend(new CreateAccessKeyCommand({ UserName: name }));
    const c = new CustomerProfilesClient({
      endpoint: stack.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
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
    clients.push(iam);
    const role = (RoleName: string, principal: unknown) =>
      iamSend(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustedBy(principal) }));
    await role("Workflow", { Service: "profile.amazonaws.com" });
    // The workflow acts as the role: it needs the seed's least-privilege policy (any key of the account).
    await iamSend(
      new PutRolePolicyCommand({
        RoleName: "Workflow",
        PolicyName: "least-privilege",
        PolicyDocument: fillWorkflowRolePolicy(`arn:aws:kms:us-east-1:${ACCOUNT}:key/*`, "us-east-1"),
      }),
    );
    await role("Elsewhere", { Service: "appflow.amazonaws.com" });
    await role("Account", { AWS: `arn:aws:iam::${ACCOUNT}:root` });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await stack?.close();
    await sb?.close();
  });

  it("the root passes a role that trusts profile.amazonaws.com; GetWorkflow shows it", async () => {
    const { WorkflowId } = await create(stack.profiles, roleArn("Workflow"));
    const wf = await stack.send<{ Attributes: { AppflowIntegration: { RoleArn: string } } }>(
      stack.profiles,
      new GetWorkflowCommand({ DomainName: "wf", WorkflowId }),
    );
    expect(wf.Attributes.AppflowIntegration.RoleArn).toBe(roleArn("Workflow"));
    // Every flow the workflow creates (its steps', then the continuous one) carries AWS's owning tag.
    const tagsOf = async (flowName: string) =>
      (
        await stack.send<{ tags?: Record<string, string> }>(
          stack.appflow,
          new ListTagsForResourceCommand({
            resourceArn: `arn:aws:appflow:us-east-1:${ACCOUNT}:flow/${flowName}`,
          }),
        )
      ).tags;
    const steps = await stack.steps("wf", WorkflowId);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(await tagsOf(step.FlowName)).toEqual({
        awsOwningService: "customer-profiles-integration-workflow",
      });
    }
    const done = await stack.driveWorkflow("wf", WorkflowId, "COMPLETE");
    expect(done.Status).toBe("COMPLETE");
    expect(await tagsOf(`role-flow-${n}`)).toEqual({
      awsOwningService: "customer-profiles-integration-workflow",
    });
  });

  it("a role whose trust policy does not let profile.amazonaws.com assume it is a BadRequestException", async () => {
    for (const name of ["Elsewhere", "Account"]) {
      const e = await failure(create(stack.profiles, roleArn(name)));
      expect(e.name).toBe("BadRequestException");
      expect(e.message).toBe(
        `Customer Profiles is unable to assume role ${roleArn(name)}: its trust policy must allow profile.amazonaws.com to perform sts:AssumeRole.`,
      );
    }
  });

  it("the root too may pass only a role that exists and trusts profile.amazonaws.com: no workflow is created otherwise", async () => {
    const workflowsBefore = await stack.server.database.db
      .selectFrom("workflows")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const e = await failure(create(stack.profiles, roleArn("NotCreated")));
    expect(e.name).toBe("BadRequestException");
    expect(e.message).toBe(missing(roleArn("NotCreated")));
    const untrusted = await failure(create(stack.profiles, roleArn("Elsewhere")));
    expect(untrusted.name).toBe("BadRequestException");
    // A role of another account is not one Customer Profiles may assume here either.
    const foreign = await failure(create(stack.profiles, "arn:aws:iam::123456789012:role/Workflow"));
    expect(foreign.message).toBe(missing("arn:aws:iam::123456789012:role/Workflow"));
    const workflowsAfter = await stack.server.database.db
      .selectFrom("workflows")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(workflowsAfter.n)).toBe(Number(workflowsBefore.n));
  });

  it("a user without iam:PassRole on the role is denied with AWS's sentence", async () => {
    const c = await userClient("nopass", PROFILE_ALL);
    const e = await failure(create(c, roleArn("Workflow")));
    expect(e.name).toBe("AccessDeniedException");
    expect(e.$metadata?.httpStatusCode).toBe(403);
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/nopass is not authorized to perform: iam:PassRole on resource: ${roleArn("Workflow")} because no identity-based policy allows the iam:PassRole action`,
    );
  });

  it("an explicit deny of iam:PassRole wins over an allow", async () => {
    const c = await userClient(
      "denied",
      PROFILE_ALL,
      { Effect: "Allow", Action: "iam:PassRole", Resource: "*" },
      { Effect: "Deny", Action: "iam:PassRole", Resource: roleArn("Workflow") },
    );
    const e = await failure(create(c, roleArn("Workflow")));
    expect(e.name).toBe("AccessDeniedException");
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/denied is not authorized to perform: iam:PassRole on resource: ${roleArn("Workflow")} with an explicit deny in an identity-based policy`,
    );
  });

  it("a user allowed iam:PassRole to profile.amazonaws.com creates the workflow; to another service it is denied", async () => {
    const passTo = (service: string) => ({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: roleArn("Workflow"),
      Condition: { StringEquals: { "iam:PassedToService": service } },
    });
    const ok = await userClient("passer", PROFILE_ALL, passTo("profile.amazonaws.com"));
    const { WorkflowId } = await create(ok, roleArn("Workflow"));
    expect(WorkflowId).toBeTruthy();
    const other = await userClient("appflowpasser", PROFILE_ALL, passTo("appflow.amazonaws.com"));
    expect((await failure(create(other, roleArn("Workflow")))).name).toBe("AccessDeniedException");
  });

  it("a user may pass only a role that exists: another is a BadRequestException", async () => {
    const c = await userClient("anyrole", PROFILE_ALL, {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "*",
    });
    const e = await failure(create(c, roleArn("Missing")));
    expect(e.name).toBe("BadRequestException");
    expect(e.message).toBe(missing(roleArn("Missing")));
    const untrusted = await failure(create(c, roleArn("Elsewhere")));
    expect(untrusted.name).toBe("BadRequestException");
  });

  // The confused-deputy condition AWS documents for service roles: Customer Profiles assumes the role with
  // aws:SourceAccount the account and aws:SourceArn the workflow's domain, at creation and at each action.
  describe("a trust policy conditioned on aws:SourceArn", () => {
    const domainArn = (domain: string) => `arn:aws:profile:us-east-1:${ACCOUNT}:domains/${domain}`;
    /** A role trusting profile.amazonaws.com under `condition`, with the least-privilege policy. */
    const conditionedRole = async (RoleName: string, condition: unknown) => {
      await iamSend(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: doc({
            Effect: "Allow",
            Principal: { Service: "profile.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: condition,
          }),
        }),
      );
      await iamSend(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: "least-privilege",
          PolicyDocument: fillWorkflowRolePolicy(`arn:aws:kms:us-east-1:${ACCOUNT}:key/*`, "us-east-1"),
        }),
      );
      return roleArn(RoleName);
    };

    it("ArnLike any domain of the account (with aws:SourceAccount): created, and it runs to COMPLETE as the role", async () => {
      const arn = await conditionedRole("SourceArnLike", {
        ArnLike: { "aws:SourceArn": `arn:aws:profile:*:${ACCOUNT}:domains/*` },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      });
      const { WorkflowId } = await create(stack.profiles, arn);
      expect((await stack.driveWorkflow("wf", WorkflowId, "COMPLETE")).Status).toBe("COMPLETE");
    });

    it("StringEquals the domain's ARN: created, and it runs to COMPLETE as the role", async () => {
      const arn = await conditionedRole("SourceArnExact", {
        StringEquals: { "aws:SourceArn": domainArn("wf") },
      });
      const { WorkflowId } = await create(stack.profiles, arn);
      expect((await stack.driveWorkflow("wf", WorkflowId, "COMPLETE")).Status).toBe("COMPLETE");
    });

    it("a condition naming another domain is refused: BadRequestException, no workflow", async () => {
      const arn = await conditionedRole("SourceArnOther", {
        StringEquals: { "aws:SourceArn": domainArn("another-domain") },
      });
      const e = await failure(create(stack.profiles, arn));
      expect(e.name).toBe("BadRequestException");
      expect(e.message).toBe(
        `Customer Profiles is unable to assume role ${arn}: its trust policy must allow profile.amazonaws.com to perform sts:AssumeRole.`,
      );
    });
  });
});
