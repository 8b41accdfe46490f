import { afterAll, beforeAll, expect, it } from "vitest";
import { awsCliAvailable, debianAws, exec, isolatedAwsEnv } from "../helpers/aws-cli.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const run = awsCliAvailable("KMS AWS CLI test");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describeEachDialect("`aws kms` against a served instance", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    if (run) t = await startTestServer(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Debian's AWS CLI as the root, one call, JSON out. */
  async function aws(args: string[]): Promise<CliResult> {
    const env = isolatedAwsEnv({
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
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

  it.runIf(run)("keys, aliases, encrypt/decrypt, disable and deletion through the CLI", async () => {
    const key = json(await aws(["kms", "create-key", "--description", "cli key"])).KeyMetadata;
    expect(key).toMatchObject({ KeyState: "Enabled", Description: "cli key" });
    json(await aws(["kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", key.KeyId]));
    const aliases = json(await aws(["kms", "list-aliases", "--key-id", key.KeyId])).Aliases;
    expect(aliases).toEqual([expect.objectContaining({ AliasName: "alias/cli", TargetKeyId: key.KeyId })]);
    const plaintext = Buffer.from("cli-secret").toString("base64");
    const enc = json(
      await aws([
        "kms",
        "encrypt",
        "--key-id",
        "alias/cli",
        "--plaintext",
        plaintext,
        "--encryption-context",
        "app=cli",
      ]),
    );
    expect(enc.KeyId).toBe(key.Arn);
    const dec = json(
      await aws([
        "kms",
        "decrypt",
        "--ciphertext-blob",
        enc.CiphertextBlob,
        "--encryption-context",
        "app=cli",
      ]),
    );
    expect(Buffer.from(dec.Plaintext, "base64").toString()).toBe("cli-secret");
    json(await aws(["kms", "disable-key", "--key-id", key.KeyId]));
    const disabled = await aws([
      "kms",
      "decrypt",
      "--ciphertext-blob",
      enc.CiphertextBlob,
      "--encryption-context",
      "app=cli",
    ]);
    expect(disabled.code).not.toBe(0);
    expect(disabled.stderr).toContain("DisabledException");
    json(await aws(["kms", "enable-key", "--key-id", key.KeyId]));
    const grant = json(
      await aws([
        "kms",
        "create-grant",
        "--key-id",
        key.KeyId,
        "--grantee-principal",
        "arn:aws:iam::000000000000:role/r",
        "--operations",
        "Decrypt",
      ]),
    );
    expect(json(await aws(["kms", "list-grants", "--key-id", key.KeyId])).Grants).toHaveLength(1);
    json(await aws(["kms", "revoke-grant", "--key-id", key.KeyId, "--grant-id", grant.GrantId]));
    const scheduled = json(
      await aws(["kms", "schedule-key-deletion", "--key-id", key.KeyId, "--pending-window-in-days", "7"]),
    );
    expect(scheduled.KeyState).toBe("PendingDeletion");
    const policy = json(
      await aws(["kms", "get-key-policy", "--key-id", key.KeyId, "--policy-name", "default"]),
    );
    expect(JSON.parse(policy.Policy).Statement[0].Action).toBe("kms:*");
    const missing = await aws(["kms", "describe-key", "--key-id", "alias/none"]);
    expect(missing.stderr).toContain("NotFoundException");
  });
});
