import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListPoliciesCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { failure } from "../helpers/failure.ts";
import { policyDocument, userWithKey } from "../helpers/iam-users.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const account = "000000000000";

const doc = policyDocument;

// Requests an attacker can shape to reach a resource ARN, a condition or a session the policies
// did not grant (security review of issue 16).
describeEachDialect("authorization: resource ARNs and sessions an attacker cannot steer", (dialect) => {
  let t: TestServer;
  let iam: IAMClient;
  const clients = sdkClients(() => t.endpoint);
  const client = clients.client;
  const user = (name: string, policy?: string, path?: string) => userWithKey(iam, name, policy, path);

  beforeAll(async () => {
    t = await startTestServer(dialect);
    iam = client(IAMClient, t.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  it("an IAM user's resource ARN has the user's stored path, not a Path member the caller adds", async () => {
    const creds = await user(
      "mallory",
      doc({
        Effect: "Allow",
        Action: "iam:PutUserPolicy",
        Resource: `arn:aws:iam::${account}:user/sandbox/*`,
      }),
    );
    const mallory = client(IAMClient, creds);
    // A Path member PutUserPolicy does not have, added to the signed form body.
    mallory.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body?: unknown; headers: Record<string, string> };
        if (typeof req.body === "string") {
          req.body += "&Path=%2Fsandbox%2F";
          req.headers["content-length"] = String(Buffer.byteLength(req.body));
        }
        return next(args);
      },
      { step: "build", priority: "low", name: "addPath" },
    );
    const escalate = new PutUserPolicyCommand({
      UserName: "mallory",
      PolicyName: "all",
      PolicyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
    });
    const denied = await failure(mallory.send(escalate));
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/mallory is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::${account}:user/mallory because no identity-based policy allows the iam:PutUserPolicy action`,
    );
    expect(
      (await failure(iam.send(new GetUserPolicyCommand({ UserName: "mallory", PolicyName: "all" })))).name,
    ).toBe("NoSuchEntityException");
  });

  it("a user named by name is matched with the path it was created with", async () => {
    await user("contractor", undefined, "/contractors/");
    const admin = client(
      IAMClient,
      await user(
        "admin1",
        doc(
          { Effect: "Allow", Action: "iam:*", Resource: "*" },
          { Effect: "Deny", Action: "iam:*", Resource: `arn:aws:iam::${account}:user/contractors/*` },
        ),
      ),
    );
    const denied = await failure(
      admin.send(
        new PutUserPolicyCommand({
          UserName: "contractor",
          PolicyName: "x",
          PolicyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
        }),
      ),
    );
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/admin1 is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::${account}:user/contractors/contractor with an explicit deny in an identity-based policy`,
    );
  });

  it("a user named in another case (IAM names are case-insensitive) is matched with its stored ARN", async () => {
    await user("boss");
    const admin = client(
      IAMClient,
      await user(
        "admin2",
        doc(
          { Effect: "Allow", Action: "iam:*", Resource: "*" },
          { Effect: "Deny", Action: "iam:*", Resource: `arn:aws:iam::${account}:user/boss` },
        ),
      ),
    );
    const denied = await failure(
      admin.send(
        new PutUserPolicyCommand({
          UserName: "BOSS",
          PolicyName: "x",
          PolicyDocument: doc({ Effect: "Deny", Action: "*", Resource: "*" }),
        }),
      ),
    );
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/admin2 is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::${account}:user/boss with an explicit deny in an identity-based policy`,
    );
  });

  it("a secret named by name is matched with its full ARN (AWS's secret:name-?????? pattern)", async () => {
    const secrets = client(SecretsManagerClient, t.credentials);
    const { ARN: arn } = await secrets.send(new CreateSecretCommand({ Name: "prod-db", SecretString: "pw" }));
    const creds = await user(
      "app",
      doc(
        { Effect: "Allow", Action: "secretsmanager:*", Resource: "*" },
        {
          Effect: "Deny",
          Action: "secretsmanager:GetSecretValue",
          Resource: `arn:aws:secretsmanager:us-east-1:${account}:secret:prod-db-??????`,
        },
      ),
    );
    const app = client(SecretsManagerClient, creds);
    for (const SecretId of ["prod-db", arn!]) {
      const denied = await failure(app.send(new GetSecretValueCommand({ SecretId })));
      expect(denied.name).toBe("AccessDeniedException");
      expect(denied.message).toBe(
        `User: arn:aws:iam::${account}:user/app is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn} with an explicit deny in an identity-based policy`,
      );
    }
  });

  it("AssumeRole sees the global condition keys: a Deny conditioned on aws:PrincipalType applies", async () => {
    const creds = await user(
      "hopper",
      doc(
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
        {
          Effect: "Deny",
          Action: "sts:AssumeRole",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalType": "User", "aws:username": "hopper" } },
        },
      ),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: "Anyone",
        AssumeRolePolicyDocument: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: "sts:AssumeRole",
        }),
      }),
    );
    const denied = await failure(
      client(STSClient, creds).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Anyone`, RoleSessionName: "s1" }),
      ),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/hopper is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/Anyone with an explicit deny in an identity-based policy`,
    );
  });

  it("AssumeRole with a session policy is refused rather than granting the role's full permissions", async () => {
    const creds = await user("scoper", doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: "Wide",
        AssumeRolePolicyDocument: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:user/scoper` },
          Action: "sts:AssumeRole",
        }),
      }),
    );
    const sts = client(STSClient, creds);
    const refused = await failure(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${account}:role/Wide`,
          RoleSessionName: "narrow",
          Policy: doc({ Effect: "Allow", Action: "profile:GetDomain", Resource: "*" }),
        }),
      ),
    );
    expect(refused.name).toBe("ValidationError");
    expect(refused.message).toContain("Session policies (Policy, PolicyArns) are not supported");
    const refusedArns = await failure(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${account}:role/Wide`,
          RoleSessionName: "narrow",
          PolicyArns: [{ arn: `arn:aws:iam::${account}:policy/ReadOnly` }],
        }),
      ),
    );
    expect(refusedArns.name).toBe("ValidationError");
  });
  it("a user deleted and created again under the same name does not own the old user's sessions", async () => {
    const creds = await user("returner");
    const { Credentials: c } = await client(STSClient, creds).send(new GetSessionTokenCommand({}));
    const session = client(STSClient, {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    });
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:iam::${account}:user/returner`,
    );
    await iam.send(new DeleteAccessKeyCommand({ UserName: "returner", AccessKeyId: creds.accessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: "returner" }));
    await iam.send(new CreateUserCommand({ UserName: "returner" }));
    const refused = await failure(session.send(new GetCallerIdentityCommand({})));
    expect(refused.name).toBe("InvalidClientTokenId");
    expect(refused.message).toBe("The security token included in the request is invalid.");
  });
  it("a description XML cannot carry is refused, so that ListRoles / ListPolicies stay parseable for everyone", async () => {
    const role = await failure(
      iam.send(
        new CreateRoleCommand({
          RoleName: "Ctl",
          AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }),
          Description: "a\u0001b",
        }),
      ),
    );
    expect(role.name).toBe("ValidationError");
    expect(role.message).toContain("at 'description' failed to satisfy constraint");
    const policy = await failure(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: "Ctl",
          PolicyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
          Description: "a\u0001b",
        }),
      ),
    );
    expect(policy.name).toBe("ValidationError");
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: "Fine",
        PolicyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
        Description: '<&> "quoted" é ✓ 😀',
      }),
    );
    const listed = await iam.send(new ListPoliciesCommand({ Scope: "Local" }));
    expect(listed.Policies?.find((p) => p.PolicyName === "Fine")?.Description).toBe('<&> "quoted" é ✓ 😀');
  });
});
