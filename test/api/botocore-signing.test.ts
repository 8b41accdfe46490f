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
      {
        name: "create",
        service: "profile",
        method: "POST",
        path: "/domains/{name}",
        pathParams: { name: "raw-domain" },
        body: JSON.stringify({ DefaultExpirationDays: 30 }),
        headers: { "Content-Type": "application/json" },
      },
      { name: "list", service: "profile", method: "GET", path: "/domains", query: { "max-results": "5" } },
      // With a Date header botocore signs the time there instead of in X-Amz-Date.
      { name: "dateHeader", service: "profile", method: "GET", path: "/domains", headers: { Date: "now" } },
      {
        name: "tag",
        service: "profile",
        method: "POST",
        path: "/tags/{arn}",
        pathParams: { arn },
        body: JSON.stringify({ tags: { by: "botocore raw" } }),
        headers: { "Content-Type": "application/json" },
      },
      { name: "listTags", service: "profile", method: "GET", path: "/tags/{arn}", pathParams: { arn } },
      {
        name: "untag",
        service: "profile",
        method: "DELETE",
        path: "/tags/{arn}",
        pathParams: { arn },
        query: { tagKeys: "by" },
      },
      {
        name: "flows",
        service: "appflow",
        method: "POST",
        path: "/list-flows",
        body: "{}",
        headers: { "Content-Type": "application/json" },
      },
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
      {
        name: "tampered",
        service: "profile",
        method: "POST",
        path: "/domains/{name}",
        pathParams: { name: "tampered" },
        body: JSON.stringify({ DefaultExpirationDays: 30 }),
        tamperBody: JSON.stringify({ DefaultExpirationDays: 31 }),
        headers: { "Content-Type": "application/json" },
      },
      {
        name: "unsigned",
        service: "profile",
        method: "POST",
        path: "/domains/{name}",
        pathParams: { name: "unsigned" },
        body: JSON.stringify({ DefaultExpirationDays: 30 }),
        headers: { "Content-Type": "application/json", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD" },
      },
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
