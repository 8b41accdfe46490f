import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ListFlowsCommand } from "@aws-sdk/client-appflow";
import { CreateDomainCommand, ListDomainsCommand } from "@aws-sdk/client-customer-profiles";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionHelp } from "../../src/cli/connection-help.ts";
import type { Database } from "../../src/db/schema.ts";
import { awsBinaries, awsCliAvailable, debianAws, exec, isolatedAwsEnv } from "../helpers/aws-cli.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const run = awsCliAvailable("AWS CLI test");
const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const readmeEndpoint = "http://127.0.0.1:4590";

/** The README's AWS CLI block: its `export` line and its `aws …` lines, as printed. */
function readmeCliLines(): { exportLine: string; awsLines: string[] } {
  const section = readme.slice(readme.indexOf("## Point the AWS SDK or the AWS CLI at it"));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README.md has no bash block under 'Point the AWS SDK or the AWS CLI at it'");
  const lines = block.split("\n").filter((l) => l.trim() !== "");
  const exportLine = lines.find((l) => l.startsWith("export "));
  if (!exportLine) throw new Error("README.md's AWS CLI block has no export line");
  return { exportLine, awsLines: lines.filter((l) => l.startsWith("aws ")) };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe.runIf(run)("the AWS CLI against a served instance", () => {
  let t: TestServer;
  let bin: string;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
    bin = mkdtempSync(join(tmpdir(), "pf-awscli-"));
  });
  afterAll(async () => {
    await t?.close();
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  /** Runs shell lines with `aws` resolving to `aws` (a symlink first on PATH); no AWS_* but what the lines export. */
  async function shell(aws: string, lines: string[]): Promise<CliResult> {
    const dir = mkdtempSync(join(bin, "path-"));
    symlinkSync(aws, join(dir, "aws"));
    const env = isolatedAwsEnv({ PATH: `${dir}:${process.env["PATH"] ?? ""}` });
    try {
      const { stdout, stderr } = await exec("bash", ["-euc", lines.join("\n")], { env });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  }

  /** Debian's AWS CLI with the test credentials and region, one call. */
  async function aws(...args: string[]): Promise<CliResult> {
    const env = isolatedAwsEnv({
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
    });
    try {
      const { stdout, stderr } = await exec(debianAws, [...args, "--endpoint-url", t.endpoint], { env });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  }

  const json = (r: CliResult) => {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it.each(awsBinaries())("the README's lines work as printed with %s", async (awsPath) => {
    const { exportLine, awsLines } = readmeCliLines();
    expect(exportLine).toContain("AWS_DEFAULT_REGION=");
    expect(awsLines.length).toBeGreaterThanOrEqual(2);
    const exported = exportLine
      .replace("AWS_ACCESS_KEY_ID=<printed at start>", `AWS_ACCESS_KEY_ID=${t.credentials.accessKeyId}`)
      .replace(
        "AWS_SECRET_ACCESS_KEY=<printed at start>",
        `AWS_SECRET_ACCESS_KEY=${t.credentials.secretAccessKey}`,
      );
    expect(exported).not.toContain("<");
    // A domain of its own, so the listing the lines print is not empty whatever ran before.
    const own = `readme-${awsBinaries().indexOf(awsPath)}`;
    await t.profiles.send(new CreateDomainCommand({ DomainName: own, DefaultExpirationDays: 30 }));
    for (const line of awsLines) {
      expect(line).toContain(readmeEndpoint);
      const r = await shell(awsPath, [exported, line.replaceAll(readmeEndpoint, t.endpoint)]);
      expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: "" });
      // The names the SDK lists at the same moment (other tests of this file may have made domains or flows).
      const printed = JSON.parse(r.stdout) as {
        Items?: { DomainName: string }[];
        flows?: { flowName: string }[];
      };
      if (line.includes("list-domains")) {
        const listed = (await t.profiles.send(new ListDomainsCommand({}))).Items ?? [];
        expect(printed.Items?.map((d) => d.DomainName)).toEqual(listed.map((d) => d.DomainName));
        expect(listed.map((d) => d.DomainName)).toContain(own);
      } else {
        const listed = (await t.appflow.send(new ListFlowsCommand({}))).flows ?? [];
        expect(printed.flows?.map((f) => f.flowName)).toEqual(listed.map((f) => f.flowName));
      }
    }
  });

  it("the lines `profileflow serve` prints work as printed", async () => {
    const help = connectionHelp(t.endpoint, t.server.config, t.server.rootKey, true);
    const lines = help
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("export ") || l.startsWith("aws "));
    expect(lines.filter((l) => l.startsWith("aws "))).toHaveLength(2);
    const r = await shell(debianAws, lines);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  });

  it("ARNs and names in paths, JSON bodies, AppFlow and Secrets Manager through the CLI", async () => {
    json(
      await aws(
        "customer-profiles",
        "create-domain",
        "--domain-name",
        "cli-domain",
        "--default-expiration-days",
        "30",
      ),
    );
    expect(
      json(await aws("customer-profiles", "get-domain", "--domain-name", "cli-domain"))["DomainName"],
    ).toBe("cli-domain");
    const typeName = `cli-type_${"x".repeat(150)}`;
    json(
      await aws(
        "customer-profiles",
        "put-profile-object-type",
        "--domain-name",
        "cli-domain",
        "--object-type-name",
        typeName,
        "--description",
        "from the AWS CLI",
        "--fields",
        '{"e":{"Source":"_source.e","Target":"_profile.EmailAddress","ContentType":"EMAIL_ADDRESS"}}',
        "--keys",
        '{"_email":[{"StandardIdentifiers":["PROFILE"],"FieldNames":["e"]}]}',
      ),
    );
    const arn = `arn:aws:profile:us-east-1:000000000000:domains/cli-domain/object-types/${typeName}`;
    expect(
      (await aws("customer-profiles", "tag-resource", "--resource-arn", arn, "--tags", "team=cx")).code,
    ).toBe(0);
    expect(
      json(await aws("customer-profiles", "list-tags-for-resource", "--resource-arn", arn))["tags"],
    ).toEqual({
      team: "cx",
    });
    expect(
      (await aws("customer-profiles", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")).code,
    ).toBe(0);
    expect(json(await aws("appflow", "list-flows"))["flows"]).toEqual([]);
    const connectors = json(await aws("appflow", "describe-connectors", "--connector-types", "Salesforce"));
    expect(Object.keys(connectors["connectorConfigurations"] as object)).toEqual(["Salesforce"]);
    json(
      await aws("secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", '{"k":"v"}'),
    );
    expect(
      json(await aws("secretsmanager", "get-secret-value", "--secret-id", "cli/secret"))["SecretString"],
    ).toBe('{"k":"v"}');
  });

  it("profiles written and searched through the CLI, in a domain whose data is sealed", async () => {
    const domain = ["--domain-name", "cli-search"];
    const made = json(
      await aws("customer-profiles", "create-domain", ...domain, "--default-expiration-days", "30"),
    );
    // No key given: the domain gets a key of this server's KMS, and its fields and key values are sealed.
    expect(made["DefaultEncryptionKey"]).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\//);
    const typeName = "cli-contact";
    json(
      await aws(
        "customer-profiles",
        "put-profile-object-type",
        ...domain,
        "--object-type-name",
        typeName,
        "--description",
        "contacts from the AWS CLI",
        "--allow-profile-creation",
        "--fields",
        '{"id":{"Source":"_source.id","Target":"_profile.Attributes.cliContactId"},"e":{"Source":"_source.e","Target":"_profile.EmailAddress","ContentType":"EMAIL_ADDRESS"}}',
        "--keys",
        '{"_cliContactId":[{"StandardIdentifiers":["PROFILE","UNIQUE"],"FieldNames":["id"]}],"_email":[{"StandardIdentifiers":["PROFILE"],"FieldNames":["e"]}]}',
      ),
    );
    const created = json(
      await aws(
        "customer-profiles",
        "create-profile",
        ...domain,
        "--first-name",
        "Ada",
        "--email-address",
        "ada@example.com",
      ),
    );
    const adaId = created["ProfileId"] as string;
    // An object whose email is Ada's joins her profile; one with a new email makes a profile of its own.
    const put = (o: object) =>
      aws(
        "customer-profiles",
        "put-profile-object",
        ...domain,
        "--object-type-name",
        typeName,
        "--object",
        JSON.stringify(o),
      );
    expect(json(await put({ id: "c-1", e: "ADA@example.com" }))["ProfileObjectUniqueKey"]).toBe("c-1");
    json(await put({ id: "c-2", e: "grace@example.com" }));
    // GetDomain's kept Stats (migration 0340) as the CLI prints them: Ada's profile with c-1, and c-2's own.
    const stats = json(await aws("customer-profiles", "get-domain", ...domain))["Stats"] as Record<
      string,
      number
    >;
    expect([stats["ProfileCount"], stats["MeteringProfileCount"], stats["ObjectCount"]]).toEqual([2, 2, 2]);
    expect(stats["TotalSize"]).toBeGreaterThan(0);
    const search = async (...args: string[]) =>
      (json(await aws("customer-profiles", "search-profiles", ...domain, ...args))["Items"] ?? []) as {
        ProfileId: string;
        FirstName?: string;
        EmailAddress?: string;
      }[];
    const byEmail = await search("--key-name", "_email", "--values", "ada@example.com");
    // The object's email (another case) found Ada's profile through the normalized key; whichever case
    // the profile now shows, it is her address.
    expect(byEmail.map((p) => [p.ProfileId, p.FirstName, p.EmailAddress?.toLowerCase()])).toEqual([
      [adaId, "Ada", "ada@example.com"],
    ]);
    expect((await search("--key-name", "_cliContactId", "--values", "c-1")).map((p) => p.ProfileId)).toEqual([
      adaId,
    ]);
    const grace = await search("--key-name", "_cliContactId", "--values", "c-2");
    expect(grace).toHaveLength(1);
    expect(grace[0]?.ProfileId).not.toBe(adaId);
    const both = await search(
      "--key-name",
      "_profileId",
      "--values",
      adaId,
      grace[0]!.ProfileId,
      "no-such-profile",
    );
    expect(both.map((p) => p.ProfileId).sort()).toEqual([adaId, grace[0]!.ProfileId].sort());
    expect(await search("--key-name", "_email", "--values", "nobody@example.com")).toEqual([]);
    const objects = json(
      await aws(
        "customer-profiles",
        "list-profile-objects",
        ...domain,
        "--object-type-name",
        typeName,
        "--profile-id",
        adaId,
      ),
    )["Items"] as { ProfileObjectUniqueKey: string; Object: string }[];
    expect(objects.map((o) => [o.ProfileObjectUniqueKey, JSON.parse(o.Object)])).toEqual([
      ["c-1", { id: "c-1", e: "ADA@example.com" }],
    ]);
    // What the CLI read back is stored sealed: payloads, fields and key values hold no address in clear.
    const db = t.server.database.db as Kysely<Database>;
    const stored = await db
      .selectFrom("profile_objects")
      .select(["payload", "fields"])
      .where("domain_name", "=", "cli-search")
      .execute();
    const keyValues = await db
      .selectFrom("profile_keys")
      .select("key_value")
      .where("domain_name", "=", "cli-search")
      .execute();
    expect(stored).toHaveLength(2);
    for (const text of [
      ...stored.flatMap((r) => [r.payload, r.fields]),
      ...keyValues.map((k) => k.key_value),
    ]) {
      expect(text).toMatch(/^pf[eh]\d\./);
      expect(text.toLowerCase()).not.toContain("@example.com");
    }
  });

  it("errors reach the CLI as AWS errors: a missing domain, an unserved region", async () => {
    const missing = await aws("customer-profiles", "get-domain", "--domain-name", "no-such-domain");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
    const r = await shell(debianAws, [
      `export AWS_ACCESS_KEY_ID=${t.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${t.credentials.secretAccessKey} AWS_DEFAULT_REGION=eu-west-1`,
      `aws customer-profiles list-domains --endpoint-url ${t.endpoint}`,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/InvalidSignatureException.*valid region: us-east-1, not 'eu-west-1'/);
  });
});
