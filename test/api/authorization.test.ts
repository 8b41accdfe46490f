import { AppflowClient, DescribeFlowCommand } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CustomerProfilesClient,
  GetDomainCommand,
  ListDomainsCommand,
  TagResourceCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const account = "000000000000";
const domainArn = (name: string) => `arn:aws:profile:us-east-1:${account}:domains/${name}`;

const doc = policyDocument;

// Every request is authorized with AWS's evaluation logic against the caller's policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// the root key is always allowed.
describeEachDialect("authorization of every request", (dialect) => {
  let t: TestServer;
  let iam: IAMClient;
  const clients = sdkClients(() => t.endpoint);
  const client = clients.client;
  const user = (name: string, policy?: string) => userWithKey(iam, name, policy);

  beforeAll(async () => {
    t = await startTestServer(dialect);
    iam = client(IAMClient, t.credentials);
    const root = client(CustomerProfilesClient, t.credentials);
    await root.send(
      new CreateDomainCommand({ DomainName: "red", DefaultExpirationDays: 30, Tags: { team: "red" } }),
    );
    await root.send(
      new CreateDomainCommand({ DomainName: "blue", DefaultExpirationDays: 30, Tags: { team: "blue" } }),
    );
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  it("a user without policies is denied with AWS's AccessDeniedException sentence; the root is not", async () => {
    const nobody = client(CustomerProfilesClient, await user("nobody"));
    const denied = await failure(nobody.send(new GetDomainCommand({ DomainName: "red" })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/nobody is not authorized to perform: profile:GetDomain on resource: ${domainArn("red")} because no identity-based policy allows the profile:GetDomain action`,
    );
    expect(
      (await client(CustomerProfilesClient, t.credentials).send(new GetDomainCommand({ DomainName: "red" })))
        .DomainName,
    ).toBe("red");
    // Who am I needs no permission.
    expect(
      (await client(STSClient, await user("whoami")).send(new GetCallerIdentityCommand({}))).Arn,
    ).toContain("user/whoami");
  });

  it("read-only access to one domain: allowed there, denied elsewhere and for writes; an explicit deny wins", async () => {
    const reader = client(
      CustomerProfilesClient,
      await user(
        "reader",
        doc({ Effect: "Allow", Action: ["profile:Get*", "profile:List*"], Resource: domainArn("red") }),
      ),
    );
    expect((await reader.send(new GetDomainCommand({ DomainName: "red" }))).DomainName).toBe("red");
    expect((await failure(reader.send(new GetDomainCommand({ DomainName: "blue" })))).message).toContain(
      `on resource: ${domainArn("blue")} because no identity-based policy allows`,
    );
    // ListDomains names no resource ("*"): a policy on one domain does not cover it.
    expect((await failure(reader.send(new ListDomainsCommand({})))).name).toBe("AccessDeniedException");
    expect(
      (
        await failure(
          reader.send(new TagResourceCommand({ resourceArn: domainArn("red"), tags: { a: "b" } })),
        )
      ).message,
    ).toContain("profile:TagResource");

    const { Policy: deny } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: "NoRed",
        PolicyDocument: doc({ Effect: "Deny", Action: "profile:*", Resource: domainArn("red") }),
      }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: "reader", PolicyArn: deny!.Arn! }));
    const denied = await failure(reader.send(new GetDomainCommand({ DomainName: "red" })));
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/reader is not authorized to perform: profile:GetDomain on resource: ${domainArn("red")} with an explicit deny in an identity-based policy`,
    );
  });

  it("conditions on the resource's tags, the request's tags and the caller's name", async () => {
    const teamRed = client(
      CustomerProfilesClient,
      await user(
        "red-member",
        doc(
          {
            Effect: "Allow",
            Action: "profile:GetDomain",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/team": "red" } },
          },
          {
            Effect: "Allow",
            Action: "profile:CreateDomain",
            Resource: "*",
            Condition: {
              "ForAnyValue:StringEquals": { "aws:RequestTag/owner": "${aws:username}" },
              "ForAllValues:StringEquals": { "aws:TagKeys": ["owner", "team"] },
            },
          },
        ),
      ),
    );
    expect((await teamRed.send(new GetDomainCommand({ DomainName: "red" }))).DomainName).toBe("red");
    expect((await failure(teamRed.send(new GetDomainCommand({ DomainName: "blue" })))).name).toBe(
      "AccessDeniedException",
    );
    const mine = await teamRed.send(
      new CreateDomainCommand({
        DomainName: "mine",
        DefaultExpirationDays: 30,
        Tags: { owner: "red-member", team: "red" },
      }),
    );
    expect(mine.DomainName).toBe("mine");
    expect(
      (
        await failure(
          teamRed.send(
            new CreateDomainCommand({
              DomainName: "theirs",
              DefaultExpirationDays: 30,
              Tags: { owner: "someone" },
            }),
          ),
        )
      ).name,
    ).toBe("AccessDeniedException");
    expect(
      (
        await failure(
          teamRed.send(
            new CreateDomainCommand({
              DomainName: "extra",
              DefaultExpirationDays: 30,
              Tags: { owner: "red-member", cost: "1" },
            }),
          ),
        )
      ).name,
    ).toBe("AccessDeniedException");
  });

  it("AppFlow, Secrets Manager and IAM actions are authorized too", async () => {
    const creds = await user(
      "limited",
      doc({
        Effect: "Allow",
        Action: "appflow:DescribeFlow",
        Resource: `arn:aws:appflow:us-east-1:${account}:flow/allowed`,
      }),
    );
    const appflow = client(AppflowClient, creds);
    expect((await failure(appflow.send(new DescribeFlowCommand({ flowName: "allowed" })))).name).toBe(
      "ResourceNotFoundException",
    );
    const denied = await failure(appflow.send(new DescribeFlowCommand({ flowName: "other" })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain(
      `appflow:DescribeFlow on resource: arn:aws:appflow:us-east-1:${account}:flow/other`,
    );
    const secrets = client(SecretsManagerClient, creds);
    const secretDenied = await failure(secrets.send(new GetSecretValueCommand({ SecretId: "s1" })));
    expect(secretDenied.name).toBe("AccessDeniedException");
    expect(secretDenied.message).toContain("secretsmanager:GetSecretValue");
    const iamDenied = await failure(
      client(IAMClient, creds).send(new CreateUserCommand({ UserName: "mallory" })),
    );
    expect(iamDenied.name).toBe("AccessDenied");
    expect(iamDenied.message).toBe(
      `User: arn:aws:iam::${account}:user/limited is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/mallory because no identity-based policy allows the iam:CreateUser action`,
    );
  });

  it("an assumed role's session acts with the role's policies", async () => {
    const caller = await user("assumer");
    await iam.send(
      new CreateRoleCommand({
        RoleName: "ProfileReader",
        AssumeRolePolicyDocument: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:user/assumer` },
          Action: "sts:AssumeRole",
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "ProfileReader",
        PolicyName: "read",
        PolicyDocument: doc({
          Effect: "Allow",
          Action: ["profile:GetDomain", "profile:ListDomains"],
          Resource: "*",
        }),
      }),
    );
    expect(
      (await failure(client(CustomerProfilesClient, caller).send(new ListDomainsCommand({})))).name,
    ).toBe("AccessDeniedException");
    const { Credentials: c } = await client(STSClient, caller).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/ProfileReader`,
        RoleSessionName: "agent-desktop",
      }),
    );
    const session = client(CustomerProfilesClient, {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    });
    expect((await session.send(new ListDomainsCommand({}))).Items?.map((d) => d.DomainName)).toContain("red");
    const denied = await failure(
      session.send(new CreateDomainCommand({ DomainName: "nope", DefaultExpirationDays: 30 })),
    );
    expect(denied.message).toBe(
      `User: arn:aws:sts::${account}:assumed-role/ProfileReader/agent-desktop is not authorized to perform: profile:CreateDomain on resource: ${domainArn("nope")} because no identity-based policy allows the profile:CreateDomain action`,
    );
  });
});
