import { afterAll, beforeAll, expect, it } from "vitest";
import { awsCliAvailable, debianAws, exec, isolatedAwsEnv } from "../helpers/aws-cli.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const run = awsCliAvailable("IAM/STS AWS CLI test");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const account = "000000000000";

describeEachDialect("`aws iam` and `aws sts` against a served instance", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    if (run) t = await startTestServer(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Debian's AWS CLI with the given credentials (the root's by default), one call, JSON out. */
  async function aws(args: string[], creds?: Record<string, string>): Promise<CliResult> {
    const env = isolatedAwsEnv({
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      ...creds,
    });
    try {
      const { stdout, stderr } = await exec(
        debianAws,
        [...args, "--endpoint-url", t.endpoint, "--output", "json"],
        { env },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  }
  const json = (r: CliResult) => {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    return r.stdout.trim() === "" ? {} : (JSON.parse(r.stdout) as Record<string, any>);
  };

  it.runIf(run)(
    "users, keys, roles, policies, AssumeRole and GetCallerIdentity through the CLI",
    async () => {
      expect(json(await aws(["sts", "get-caller-identity"]))).toMatchObject({
        Account: account,
        Arn: `arn:aws:iam::${account}:root`,
      });
      expect(json(await aws(["iam", "create-user", "--user-name", "cli-user"])).User).toMatchObject({
        UserName: "cli-user",
      });
      const key = json(await aws(["iam", "create-access-key", "--user-name", "cli-user"])).AccessKey;
      const user = { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
      expect(json(await aws(["sts", "get-caller-identity"], user)).Arn).toBe(
        `arn:aws:iam::${account}:user/cli-user`,
      );
      expect(
        json(await aws(["iam", "list-access-keys", "--user-name", "cli-user"])).AccessKeyMetadata,
      ).toHaveLength(1);

      const trust = JSON.stringify({
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:user/cli-user` },
          Action: "sts:AssumeRole",
        },
      });
      json(
        await aws(["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", trust]),
      );
      // The CLI decodes the URL-encoded documents IAM returns.
      expect(
        json(await aws(["iam", "get-role", "--role-name", "cli-role"])).Role.AssumeRolePolicyDocument,
      ).toEqual(JSON.parse(trust));
      // update-assume-role-policy replaces the trust policy (here with the same principal, as a list).
      const trust2 = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: [`arn:aws:iam::${account}:user/cli-user`] },
            Action: "sts:AssumeRole",
          },
        ],
      });
      json(
        await aws([
          "iam",
          "update-assume-role-policy",
          "--role-name",
          "cli-role",
          "--policy-document",
          trust2,
        ]),
      );
      expect(
        json(await aws(["iam", "get-role", "--role-name", "cli-role"])).Role.AssumeRolePolicyDocument,
      ).toEqual(JSON.parse(trust2));
      const doc = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "profile:*", Resource: "*" }],
      });
      const policy = json(
        await aws(["iam", "create-policy", "--policy-name", "cli-policy", "--policy-document", doc]),
      ).Policy;
      json(await aws(["iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn", policy.Arn]));
      json(
        await aws([
          "iam",
          "put-user-policy",
          "--user-name",
          "cli-user",
          "--policy-name",
          "inline",
          "--policy-document",
          doc,
        ]),
      );
      expect(
        json(await aws(["iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "inline"]))
          .PolicyDocument,
      ).toEqual(JSON.parse(doc));
      expect(
        json(await aws(["iam", "list-policies", "--scope", "Local"])).Policies.map(
          (p: { PolicyName: string }) => p.PolicyName,
        ),
      ).toEqual(["cli-policy"]);

      const assumed = json(
        await aws(
          [
            "sts",
            "assume-role",
            "--role-arn",
            `arn:aws:iam::${account}:role/cli-role`,
            "--role-session-name",
            "cli",
          ],
          user,
        ),
      );
      const session = {
        AWS_ACCESS_KEY_ID: assumed.Credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: assumed.Credentials.SecretAccessKey,
        AWS_SESSION_TOKEN: assumed.Credentials.SessionToken,
      };
      expect(json(await aws(["sts", "get-caller-identity"], session)).Arn).toBe(
        `arn:aws:sts::${account}:assumed-role/cli-role/cli`,
      );

      const missing = await aws(["iam", "get-user", "--user-name", "nobody"]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("NoSuchEntity");
      json(
        await aws([
          "iam",
          "update-access-key",
          "--user-name",
          "cli-user",
          "--access-key-id",
          key.AccessKeyId,
          "--status",
          "Inactive",
        ]),
      );
      const inactive = await aws(["sts", "get-caller-identity"], user);
      expect(inactive.stderr).toContain("InvalidClientTokenId");
      // Each CLI start takes seconds on a busy machine: eighteen of them.
    },
    300_000,
  );
});
