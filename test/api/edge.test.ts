import {
  ListTagsForResourceCommand as AppflowListTags,
  AppflowServiceException,
  TagResourceCommand as AppflowTag,
  ValidationException,
} from "@aws-sdk/client-appflow";
import {
  CustomerProfilesClient,
  CustomerProfilesServiceException,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const domainArn = "arn:aws:profile:us-east-1:000000000000:domains/edge-test";
const flowArn = "arn:aws:appflow:us-east-1:000000000000:flow/edge-flow";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer("sqlite");
  t.server.resources.add(async (_q, arn) => arn === domainArn || arn === flowArn);
});
afterAll(async () => t.close());

/** A client whose signed request is altered after signing, as a man in the middle would. */
function tamperedClient(alter: (request: { headers: Record<string, string>; body?: unknown }) => void) {
  const client = new CustomerProfilesClient({
    endpoint: t.endpoint,
    region: "us-east-1",
    credentials: t.credentials,
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      alter((args as unknown as { request: { headers: Record<string, string>; body?: unknown } }).request);
      return next(args);
    },
    { step: "deserialize", name: "tamper" },
  );
  return client;
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      message: err.message,
      ...(err.$metadata?.httpStatusCode ? { status: err.$metadata.httpStatusCode } : {}),
    };
  }
  throw new Error("expected the call to fail");
}

describe("AWS-compatible edge through the real SDK clients", () => {
  it("a signed call with an ARN in its path (double-encoded by the SDK) verifies and reaches its route", async () => {
    await t.profiles.send(
      new TagResourceCommand({ resourceArn: domainArn, tags: { env: "test", team: "cx" } }),
    );
    const out = await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: domainArn }));
    expect(out.tags).toEqual({ env: "test", team: "cx" });
    await t.profiles.send(new UntagResourceCommand({ resourceArn: domainArn, tagKeys: ["team"] }));
    expect((await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: domainArn }))).tags).toEqual({
      env: "test",
    });
  });

  it("dispatches /tags/{resourceArn} by the signing service, with each service's error shape", async () => {
    await t.appflow.send(new AppflowTag({ resourceArn: flowArn, tags: { owner: "flows" } }));
    expect((await t.appflow.send(new AppflowListTags({ resourceArn: flowArn }))).tags).toEqual({
      owner: "flows",
    });
    // An AppFlow ARN is not a Customer Profiles ARN: the profile service rejects it with its own exception.
    const cp = await errorOf(t.profiles.send(new ListTagsForResourceCommand({ resourceArn: flowArn })));
    expect(cp.name).toBe("BadRequestException");
    const af = await t.appflow.send(new AppflowListTags({ resourceArn: domainArn })).catch((e: unknown) => e);
    expect(af).toBeInstanceOf(ValidationException);
    expect((af as ValidationException).message).toMatch(/resourceArn/);
  });

  it("an unknown resource is a typed ResourceNotFoundException", async () => {
    const e = await t.profiles
      .send(
        new ListTagsForResourceCommand({
          resourceArn: "arn:aws:profile:us-east-1:000000000000:domains/nope",
        }),
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    expect(e).toBeInstanceOf(CustomerProfilesServiceException);
  });

  it("no Authorization header → 403 MissingAuthenticationTokenException", async () => {
    const client = tamperedClient((r) => {
      delete r.headers["authorization"];
    });
    const e = await errorOf(client.send(new ListTagsForResourceCommand({ resourceArn: domainArn })));
    expect(e).toMatchObject({ name: "MissingAuthenticationTokenException", status: 403 });
  });

  it("an unknown access key → 403 UnrecognizedClientException", async () => {
    const client = new CustomerProfilesClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDUNKNOWNUNKNOWN", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const e = await errorOf(client.send(new ListTagsForResourceCommand({ resourceArn: domainArn })));
    expect(e).toMatchObject({ name: "UnrecognizedClientException", status: 403 });
  });

  it("a wrong secret → 403 InvalidSignatureException", async () => {
    const client = new CustomerProfilesClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: "wrong-secret" },
      maxAttempts: 1,
    });
    const e = await errorOf(client.send(new ListTagsForResourceCommand({ resourceArn: domainArn })));
    expect(e).toMatchObject({ name: "InvalidSignatureException", status: 403 });
  });

  it("more than 15 minutes of clock skew → InvalidSignatureException 'Signature expired' with a Date header", async () => {
    const client = new CustomerProfilesClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: t.credentials,
      maxAttempts: 1,
      systemClockOffset: -20 * 60 * 1000,
    });
    const e = await errorOf(client.send(new ListTagsForResourceCommand({ resourceArn: domainArn })));
    expect(e.name).toBe("InvalidSignatureException");
    expect(e.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const raw = await signedFetch(t.endpoint, {
      method: "GET",
      path: `/tags/${encodeURIComponent(domainArn)}`,
      signingDate: new Date(Date.now() - 16 * 60 * 1000),
      credentials: t.credentials,
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    expect(Math.abs(Date.parse(raw.headers.get("date") ?? "") - Date.now())).toBeLessThan(5000);
  });

  it("a body tampered with after signing fails verification", async () => {
    const client = tamperedClient((r) => {
      r.body = JSON.stringify({ tags: { env: "evil" } });
    });
    const e = await errorOf(
      client.send(new TagResourceCommand({ resourceArn: domainArn, tags: { env: "good" } })),
    );
    expect(e.name).toBe("InvalidSignatureException");
    expect(
      (await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: domainArn }))).tags?.["env"],
    ).not.toBe("evil");
  });

  it("a tampered signed header fails verification", async () => {
    const client = tamperedClient((r) => {
      r.headers["x-amz-date"] = "20200101T000000Z";
    });
    const e = await errorOf(client.send(new ListTagsForResourceCommand({ resourceArn: domainArn })));
    expect(e.name).toBe("InvalidSignatureException");
  });

  it("malformed JSON, an unknown route and an oversized body get the service's exceptions", async () => {
    const path = `/tags/${encodeURIComponent(domainArn)}`;
    const bad = await signedFetch(t.endpoint, {
      method: "POST",
      path,
      body: "{not json",
      credentials: t.credentials,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect(((await bad.json()) as { Message: string }).Message).toMatch(/not valid JSON/);

    const unknown = await signedFetch(t.endpoint, {
      method: "GET",
      path: "/no-such-thing",
      credentials: t.credentials,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(((await unknown.json()) as { Message: string }).Message).toBe(
      "No operation is served at GET /no-such-thing.",
    );
    // The unknown route verifies the whole signature first: a wrong secret is not told what is served.
    const wrongSecret = await signedFetch(t.endpoint, {
      method: "POST",
      path: "/no-such-thing",
      body: "{}",
      credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: "wrong" },
    });
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    const unknownAf = await signedFetch(t.endpoint, {
      method: "POST",
      path: "/no-such-op",
      body: "{}",
      service: "appflow",
      credentials: t.credentials,
    });
    expect(unknownAf.status).toBe(404);
    expect(unknownAf.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(await unknownAf.json()).toHaveProperty("message");

    const big = await signedFetch(t.endpoint, {
      method: "POST",
      path,
      body: JSON.stringify({ tags: { a: "x".repeat(7 * 1024 * 1024) } }),
      credentials: t.credentials,
    });
    expect(big.status).toBe(413);
    expect(big.headers.get("x-amzn-errortype")).toBe("BadRequestException");
  });

  it("/health and /metrics answer unsigned; every response carries x-amzn-RequestId", async () => {
    const health = await fetch(`${t.endpoint}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await (await fetch(`${t.endpoint}/metrics`)).text();
    expect(metrics).toMatch(
      /profileflow_api_requests_total\{service="profile",operation="ListTagsForResource",status="200"\} \d+/,
    );
    const denied = await fetch(`${t.endpoint}/domains`);
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(denied.headers.get("x-amzn-requestid")).toBeTruthy();
  });
});

describe("error parsing by the SDK", () => {
  it("AppFlow errors are AppFlow's classes", async () => {
    const e = await t.appflow
      .send(new AppflowListTags({ resourceArn: "not-an-arn" }))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppflowServiceException);
  });
});
