import { CustomerProfilesClient, GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { failure } from "../helpers/failure.ts";
import { type Credentials, sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const account = "000000000000";

const allowAll = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
});
const trust = (principal: unknown) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }],
  });

describeEachDialect("IAM and STS through the SDK", (dialect) => {
  let t: TestServer;
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const clients = sdkClients(() => t.endpoint);
  const iamAs = (c: Credentials) => clients.client(IAMClient, c);
  const stsAs = (c: Credentials) => clients.client(STSClient, c);
  let iam: IAMClient;
  let sts: STSClient;

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock });
    iam = iamAs(t.credentials);
    sts = stsAs(t.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
  });

  it("the bootstrap key is the account root", async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: account, Arn: `arn:aws:iam::${account}:root`, UserId: account });
  });

  it("users: create, get, list, refuse a duplicate (whatever the case), delete", async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: "alice", Path: "/team/" }));
    expect(created.User).toMatchObject({
      UserName: "alice",
      Path: "/team/",
      Arn: `arn:aws:iam::${account}:user/team/alice`,
    });
    expect(created.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User?.CreateDate).toBeInstanceOf(Date);
    const got = await iam.send(new GetUserCommand({ UserName: "alice" }));
    expect(got.User?.UserId).toBe(created.User?.UserId);
    const dup = await failure(iam.send(new CreateUserCommand({ UserName: "ALICE" })));
    expect(dup.name).toBe("EntityAlreadyExistsException");
    expect(dup.$metadata?.httpStatusCode).toBe(409);
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    const list = await iam.send(new ListUsersCommand({}));
    expect(list.Users?.map((u) => u.UserName)).toEqual(["alice", "bob"]);
    expect(list.IsTruncated).toBe(false);
    const firstPage = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
    expect(firstPage).toMatchObject({ IsTruncated: true, Users: [{ UserName: "alice" }] });
    const secondPage = await iam.send(new ListUsersCommand({ MaxItems: 1, Marker: firstPage.Marker }));
    expect(secondPage).toMatchObject({ IsTruncated: false, Users: [{ UserName: "bob" }] });
    await iam.send(new DeleteUserCommand({ UserName: "bob" }));
    const gone = await failure(iam.send(new GetUserCommand({ UserName: "bob" })));
    expect(gone.name).toBe("NoSuchEntityException");
    expect(gone.message).toBe("The user with name bob cannot be found.");
    const bad = await failure(iam.send(new CreateUserCommand({ UserName: "no spaces" })));
    expect(bad.name).toBe("ValidationError");
  });

  it("access keys: a user's key signs as that user; deactivated or deleted, it stops working", async () => {
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }));
    expect(key).toMatchObject({ UserName: "carol", Status: "Active" });
    expect(key?.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key?.SecretAccessKey).toHaveLength(40);
    const carol = { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! };
    const me = await stsAs(carol).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:iam::${account}:user/carol`);
    // Without UserName, access key operations act on the calling user (who needs a policy for them:
    // AWS's own example, iam:*AccessKey* on user/${aws:username}).
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "carol",
        PolicyName: "own-keys",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "iam:*AccessKey*",
            Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
          },
        }),
      }),
    );
    const own = await iamAs(carol).send(new ListAccessKeysCommand({}));
    expect(own.AccessKeyMetadata).toEqual([
      expect.objectContaining({ AccessKeyId: carol.accessKeyId, Status: "Active" }),
    ]);
    await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }));
    const third = await failure(iam.send(new CreateAccessKeyCommand({ UserName: "carol" })));
    expect(third.name).toBe("LimitExceededException");
    expect((await failure(iamAs(carol).send(new ListAccessKeysCommand({ UserName: "alice" })))).name).toBe(
      "AccessDenied",
    );
    const conflict = await failure(iam.send(new DeleteUserCommand({ UserName: "carol" })));
    expect(conflict.name).toBe("DeleteConflictException");

    await iam.send(
      new UpdateAccessKeyCommand({ UserName: "carol", AccessKeyId: carol.accessKeyId, Status: "Inactive" }),
    );
    const refused = await failure(stsAs(carol).send(new GetCallerIdentityCommand({})));
    expect(refused.name).toBe("InvalidClientTokenId");
    await iam.send(
      new UpdateAccessKeyCommand({ UserName: "carol", AccessKeyId: carol.accessKeyId, Status: "Active" }),
    );
    expect((await stsAs(carol).send(new GetCallerIdentityCommand({}))).Arn).toContain("user/carol");
    await iam.send(new DeleteAccessKeyCommand({ UserName: "carol", AccessKeyId: carol.accessKeyId }));
    expect((await failure(stsAs(carol).send(new GetCallerIdentityCommand({})))).name).toBe(
      "InvalidClientTokenId",
    );
    // A user's key works on the other services too (authorization comes with the operation table).
    const profiles = clients.client(CustomerProfilesClient, t.credentials);
    expect((await failure(profiles.send(new GetDomainCommand({ DomainName: "none" })))).name).toBe(
      "ResourceNotFoundException",
    );
    const missing = await failure(
      iam.send(new DeleteAccessKeyCommand({ UserName: "carol", AccessKeyId: carol.accessKeyId })),
    );
    expect(missing.name).toBe("NoSuchEntityException");
  });

  it("managed policies: create, get, version, list, attach, detach, delete", async () => {
    await iam.send(new CreateUserCommand({ UserName: "dave" }));
    const { Policy: p } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "ReadDomains", PolicyDocument: allowAll, Description: "all" }),
    );
    expect(p).toMatchObject({
      PolicyName: "ReadDomains",
      Arn: `arn:aws:iam::${account}:policy/ReadDomains`,
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      IsAttachable: true,
    });
    const arn = p!.Arn!;
    expect(
      (
        await failure(
          iam.send(new CreatePolicyCommand({ PolicyName: "readdomains", PolicyDocument: allowAll })),
        )
      ).name,
    ).toBe("EntityAlreadyExistsException");
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toEqual(JSON.parse(allowAll));
    await iam.send(new AttachUserPolicyCommand({ UserName: "dave", PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(1);
    expect(
      (await iam.send(new ListPoliciesCommand({ OnlyAttached: true }))).Policies?.map((x) => x.PolicyName),
    ).toEqual(["ReadDomains"]);
    expect((await iam.send(new ListPoliciesCommand({ Scope: "AWS" }))).Policies).toEqual([]);
    expect((await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).name).toBe(
      "DeleteConflictException",
    );
    expect((await failure(iam.send(new DeleteUserCommand({ UserName: "dave" })))).name).toBe(
      "DeleteConflictException",
    );
    await iam.send(new DetachUserPolicyCommand({ UserName: "dave", PolicyArn: arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    expect((await failure(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).name).toBe(
      "NoSuchEntityException",
    );
    const malformed = await failure(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: "Bad",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: { Effect: "Allow", Action: "GetDomain", Resource: "*" },
          }),
        }),
      ),
    );
    expect(malformed.name).toBe("MalformedPolicyDocumentException");
    expect(malformed.message).toMatch(/Statement\.Action: 'GetDomain' is not an action/);
    await iam.send(new DeleteUserCommand({ UserName: "dave" }));
  });

  it("inline policies on users and roles: put, get, list, delete", async () => {
    await iam.send(new CreateUserCommand({ UserName: "erin" }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: "erin", PolicyName: "inline", PolicyDocument: allowAll }),
    );
    const got = await iam.send(new GetUserPolicyCommand({ UserName: "erin", PolicyName: "inline" }));
    expect(got).toMatchObject({ UserName: "erin", PolicyName: "inline" });
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(JSON.parse(allowAll));
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "erin" }))).PolicyNames).toEqual([
      "inline",
    ]);
    await iam.send(new DeleteUserPolicyCommand({ UserName: "erin", PolicyName: "inline" }));
    expect(
      (await failure(iam.send(new GetUserPolicyCommand({ UserName: "erin", PolicyName: "inline" })))).name,
    ).toBe("NoSuchEntityException");
    await iam.send(new DeleteUserCommand({ UserName: "erin" }));

    await iam.send(
      new CreateRoleCommand({ RoleName: "inline-role", AssumeRolePolicyDocument: trust({ AWS: account }) }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "inline-role", PolicyName: "p", PolicyDocument: allowAll }),
    );
    expect(
      (await iam.send(new GetRolePolicyCommand({ RoleName: "inline-role", PolicyName: "p" }))).RoleName,
    ).toBe("inline-role");
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "inline-role" }))).PolicyNames).toEqual([
      "p",
    ]);
    expect((await failure(iam.send(new DeleteRoleCommand({ RoleName: "inline-role" })))).name).toBe(
      "DeleteConflictException",
    );
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "inline-role", PolicyName: "p" }));
    await iam.send(new DeleteRoleCommand({ RoleName: "inline-role" }));
  });

  it("roles: create with a trust policy, get, list, delete; a bad trust policy is refused", async () => {
    const doc = trust({ Service: "profile.amazonaws.com" });
    const { Role: role } = await iam.send(
      new CreateRoleCommand({
        RoleName: "WorkflowRole",
        AssumeRolePolicyDocument: doc,
        Description: "for workflows",
      }),
    );
    expect(role).toMatchObject({
      RoleName: "WorkflowRole",
      Arn: `arn:aws:iam::${account}:role/WorkflowRole`,
      MaxSessionDuration: 3600,
      Description: "for workflows",
    });
    expect(role?.RoleId).toMatch(/^AROA/);
    const got = await iam.send(new GetRoleCommand({ RoleName: "WorkflowRole" }));
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(doc));
    expect((await iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain(
      "WorkflowRole",
    );
    const noPrincipal = await failure(
      iam.send(new CreateRoleCommand({ RoleName: "Bad", AssumeRolePolicyDocument: allowAll })),
    );
    expect(noPrincipal.name).toBe("MalformedPolicyDocumentException");
    await iam.send(new DeleteRoleCommand({ RoleName: "WorkflowRole" }));
    expect((await failure(iam.send(new GetRoleCommand({ RoleName: "WorkflowRole" })))).name).toBe(
      "NoSuchEntityException",
    );
  });

  it("a trust policy longer than IAM's quota (2,048 characters, whitespace not counted) is LimitExceeded", async () => {
    // Conditions listing many source accounts: the length without whitespace decides.
    const withAccounts = (n: number, indent: number) =>
      JSON.stringify(
        {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "profile.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: {
                  "aws:SourceAccount": Array.from({ length: n }, (_, i) => String(i).padStart(12, "0")),
                },
              },
            },
          ],
        },
        null,
        indent,
      );
    const fits = withAccounts(100, 0); // ~1,600 characters
    const tooLong = withAccounts(150, 0); // ~2,300 characters
    expect(fits.length).toBeLessThan(2048);
    expect(tooLong.length).toBeGreaterThan(2048);
    // Indented, the fitting one is longer than 2,048 characters: whitespace is not counted.
    expect(withAccounts(100, 8).length).toBeGreaterThan(2048);
    await iam.send(
      new CreateRoleCommand({ RoleName: "Quota", AssumeRolePolicyDocument: withAccounts(100, 8) }),
    );
    const created = await failure(
      iam.send(new CreateRoleCommand({ RoleName: "QuotaTooLong", AssumeRolePolicyDocument: tooLong })),
    );
    expect(created.name).toBe("LimitExceededException");
    expect(created.message).toBe("Cannot exceed quota for ACLSizePerRole: 2048");
    const updated = await failure(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Quota", PolicyDocument: tooLong })),
    );
    expect(updated.name).toBe("LimitExceededException");
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Quota", PolicyDocument: fits }));
    await iam.send(new DeleteRoleCommand({ RoleName: "Quota" }));
  });

  it("AssumeRole: the trust policy decides; the session signs with x-amz-security-token and expires", async () => {
    await iam.send(new CreateUserCommand({ UserName: "frank" }));
    await iam.send(new CreateUserCommand({ UserName: "grace" }));
    const keyOf = async (user: string) => {
      const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
      return { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! };
    };
    const frank = await keyOf("frank");
    const grace = await keyOf("grace");
    // Names frank directly: enough on its own. Names the account: the caller's own policies must allow too.
    await iam.send(
      new CreateRoleCommand({
        RoleName: "Direct",
        AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${account}:user/frank` }),
      }),
    );
    await iam.send(
      new CreateRoleCommand({ RoleName: "Account", AssumeRolePolicyDocument: trust({ AWS: account }) }),
    );
    const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;

    const assumed = await stsAs(frank).send(
      new AssumeRoleCommand({ RoleArn: roleArn("Direct"), RoleSessionName: "s1" }),
    );
    expect(assumed.AssumedRoleUser).toMatchObject({ Arn: `arn:aws:sts::${account}:assumed-role/Direct/s1` });
    expect(assumed.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:s1$/);
    expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(assumed.Credentials?.Expiration?.getTime()).toBe(clock.now() + 3600 * 1000);
    const session = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    expect((await stsAs(session).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${account}:assumed-role/Direct/s1`,
    );
    // Without its token, or with another, the temporary key is unknown.
    const { sessionToken: _, ...withoutToken } = session;
    expect((await failure(stsAs(withoutToken).send(new GetCallerIdentityCommand({})))).name).toBe(
      "InvalidClientTokenId",
    );
    expect(
      (await failure(stsAs({ ...session, sessionToken: "forged" }).send(new GetCallerIdentityCommand({}))))
        .name,
    ).toBe("InvalidClientTokenId");

    const denied = await failure(
      stsAs(grace).send(new AssumeRoleCommand({ RoleArn: roleArn("Direct"), RoleSessionName: "s0" })),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toBe(
      `User: arn:aws:iam::${account}:user/grace is not authorized to perform: sts:AssumeRole on resource: ${roleArn("Direct")} because no identity-based policy allows the sts:AssumeRole action`,
    );
    expect(
      (
        await failure(
          stsAs(grace).send(new AssumeRoleCommand({ RoleArn: roleArn("Account"), RoleSessionName: "s0" })),
        )
      ).name,
    ).toBe("AccessDenied");
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "grace",
        PolicyName: "assume",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: `arn:aws:iam::${account}:role/Acc*`,
          },
        }),
      }),
    );
    const viaAccount = await stsAs(grace).send(
      new AssumeRoleCommand({ RoleArn: roleArn("Account"), RoleSessionName: "s2", DurationSeconds: 900 }),
    );
    expect(viaAccount.Credentials?.Expiration?.getTime()).toBe(clock.now() + 900 * 1000);
    expect(
      (
        await failure(
          stsAs(t.credentials).send(
            new AssumeRoleCommand({ RoleArn: roleArn("Direct"), RoleSessionName: "r0" }),
          ),
        )
      ).name,
    ).toBe("AccessDenied");
    expect(
      (
        await failure(
          stsAs(frank).send(new AssumeRoleCommand({ RoleArn: roleArn("Nope"), RoleSessionName: "s0" })),
        )
      ).name,
    ).toBe("AccessDenied");
    const tooLong = await failure(
      stsAs(frank).send(
        new AssumeRoleCommand({ RoleArn: roleArn("Direct"), RoleSessionName: "s0", DurationSeconds: 7200 }),
      ),
    );
    expect(tooLong.name).toBe("ValidationError");

    // An hour later the session has expired (the token is checked before the signature's date).
    clock.advance(3600 * 1000);
    const expired = await failure(stsAs(session).send(new GetCallerIdentityCommand({})));
    expect(expired.name).toBe("ExpiredToken");
    expect(expired.$metadata?.httpStatusCode).toBe(403);
    // Back to the real time, which the SDK signs with.
    clock.advance(-3600 * 1000);
  });

  it("GetSessionToken: temporary credentials for the caller itself, not from a session", async () => {
    const rootSession = await sts.send(new GetSessionTokenCommand({}));
    expect(rootSession.Credentials?.Expiration?.getTime()).toBe(clock.now() + 3600 * 1000);
    const creds = {
      accessKeyId: rootSession.Credentials!.AccessKeyId!,
      secretAccessKey: rootSession.Credentials!.SecretAccessKey!,
      sessionToken: rootSession.Credentials!.SessionToken!,
    };
    expect((await stsAs(creds).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:iam::${account}:root`,
    );
    const again = await failure(stsAs(creds).send(new GetSessionTokenCommand({})));
    expect(again.name).toBe("AccessDenied");
    // An IAM user's session defaults to 12 hours.
    await iam.send(new CreateUserCommand({ UserName: "heidi" }));
    const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: "heidi" }));
    const heidi = await stsAs({ accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! }).send(
      new GetSessionTokenCommand({}),
    );
    expect(heidi.Credentials?.Expiration?.getTime()).toBe(clock.now() + 43_200 * 1000);
  });

  it("attached role policies are listed", async () => {
    await iam.send(
      new CreateRoleCommand({ RoleName: "Listed", AssumeRolePolicyDocument: trust({ AWS: account }) }),
    );
    const { Policy: p } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "RolePolicy", PolicyDocument: allowAll }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: "Listed", PolicyArn: p!.Arn! }));
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "Listed" }))).AttachedPolicies,
    ).toEqual([{ PolicyName: "RolePolicy", PolicyArn: p!.Arn! }]);
    await iam.send(new DetachRolePolicyCommand({ RoleName: "Listed", PolicyArn: p!.Arn! }));
    expect(
      (await failure(iam.send(new DetachRolePolicyCommand({ RoleName: "Listed", PolicyArn: p!.Arn! })))).name,
    ).toBe("NoSuchEntityException");
  });
});
