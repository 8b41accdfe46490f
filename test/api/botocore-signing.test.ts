import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliAvailable, runBotocore } from "../helpers/aws-cli.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const script = fileURLToPath(new URL("./botocore-client.py", import.meta.url));
const run = awsCliAvailable("botocore signing test");

interface RawResult {
  name: string;
  status: number;
  errorType: string | null;
  body: string;
  signedHeaders: string;
  url: string;
}

/** A raw request botocore signs: a POST of `body` as JSON (`more` adds or replaces members, e.g. headers). */
function jsonPost(
  name: string,
  service: "profile" | "appflow",
  path: string,
  body: unknown,
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    service,
    method: "POST",
    path,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
    ...more,
  };
}

describe.runIf(run)("requests signed by botocore (the AWS CLI's and boto3's signer)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(async () => t?.close());

  const call = async (raw: unknown[], client = false) =>
    (await runBotocore(script, {
      endpoint: t.endpoint,
      accessKeyId: t.credentials.accessKeyId,
      secretAccessKey: t.credentials.secretAccessKey,
      region: "us-east-1",
      raw,
      client,
    })) as { raw: RawResult[]; client?: Record<string, unknown> };

  it("GET with a query, POST with a JSON body, a path with an encoded ARN, awsJson with X-Amz-Target: all verify", async () => {
    const arn = "arn:aws:profile:us-east-1:000000000000:domains/raw-domain";
    const { raw } = await call([
      jsonPost(
        "create",
        "profile",
        "/domains/{name}",
        { DefaultExpirationDays: 30 },
        {
          pathParams: { name: "raw-domain" },
        },
      ),
      { name: "list", service: "profile", method: "GET", path: "/domains", query: { "max-results": "5" } },
      // With a Date header botocore signs the time there instead of in X-Amz-Date.
      { name: "dateHeader", service: "profile", method: "GET", path: "/domains", headers: { Date: "now" } },
      jsonPost("tag", "profile", "/tags/{arn}", { tags: { by: "botocore raw" } }, { pathParams: { arn } }),
      { name: "listTags", service: "profile", method: "GET", path: "/tags/{arn}", pathParams: { arn } },
      {
        name: "untag",
        service: "profile",
        method: "DELETE",
        path: "/tags/{arn}",
        pathParams: { arn },
        query: { tagKeys: "by" },
      },
      jsonPost("flows", "appflow", "/list-flows", {}),
      {
        name: "secret",
        service: "secretsmanager",
        method: "POST",
        path: "/",
        body: JSON.stringify({ Name: "raw/secret", SecretString: "s3cr3t" }),
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "secretsmanager.CreateSecret",
        },
      },
    ]);
    const by = Object.fromEntries(raw.map((r) => [r.name, r]));
    for (const r of raw)
      expect({ name: r.name, status: r.status, body: r.body }).toMatchObject({ status: 200 });
    // botocore signs no x-amz-content-sha256 for these services: exactly what the old verifier refused.
    expect(by["create"]!.signedHeaders).not.toContain("x-amz-content-sha256");
    expect(by["dateHeader"]!.signedHeaders).toBe("date;host");
    expect(by["tag"]!.url).toContain(
      "/tags/arn%3Aaws%3Aprofile%3Aus-east-1%3A000000000000%3Adomains%2Fraw-domain",
    );
    expect(JSON.parse(by["list"]!.body).Items.map((d: { DomainName: string }) => d.DomainName)).toEqual([
      "raw-domain",
    ]);
    expect(JSON.parse(by["listTags"]!.body).tags).toEqual({ by: "botocore raw" });
    expect(JSON.parse(by["secret"]!.body).Name).toBe("raw/secret");
  });

  it("a body changed after botocore signed it, and an UNSIGNED-PAYLOAD declaration, are refused", async () => {
    const { raw } = await call([
      jsonPost(
        "tampered",
        "profile",
        "/domains/{name}",
        { DefaultExpirationDays: 30 },
        {
          pathParams: { name: "tampered" },
          tamperBody: JSON.stringify({ DefaultExpirationDays: 31 }),
        },
      ),
      jsonPost(
        "unsigned",
        "profile",
        "/domains/{name}",
        { DefaultExpirationDays: 30 },
        {
          pathParams: { name: "unsigned" },
          headers: { "Content-Type": "application/json", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD" },
        },
      ),
    ]);
    for (const r of raw) {
      expect(r.status).toBe(403);
      expect(r.errorType).toBe("InvalidSignatureException");
    }
    const { raw: listed } = await call([
      { name: "list", service: "profile", method: "GET", path: "/domains" },
    ]);
    const names = JSON.parse(listed[0]!.body).Items.map((d: { DomainName: string }) => d.DomainName);
    expect(names).not.toContain("tampered");
    expect(names).not.toContain("unsigned");
  });

  it("botocore clients (what boto3 and the AWS CLI call): Customer Profiles, AppFlow, Secrets Manager", async () => {
    const { client } = await call([], true);
    expect(client).toEqual({
      getDomain: "boto-domain",
      tags: { via: "botocore" },
      listFlows: [],
      connectors: ["Zendesk"],
      secret: '{"clientId":"id","clientSecret":"s"}',
      notFound: "ResourceNotFoundException",
    });
  });
});
