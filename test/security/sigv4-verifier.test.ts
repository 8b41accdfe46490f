import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { isProfileflowError } from "../../src/core/errors.ts";
import { canonicalQuery, canonicalUri, parseQuery } from "../../src/security/sigv4-canonical.ts";
import { type RequestHead, SigV4Verifier } from "../../src/security/sigv4-verifier.ts";

// The AWS SigV4 test suite's credentials and time (get-vanilla, get-vanilla-query-order-key-case).
const suite = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const suiteTime = Date.UTC(2015, 7, 30, 12, 36, 0);
const secrets = {
  secretFor: async (id: string) => (id === suite.accessKeyId ? suite.secretAccessKey : undefined),
};

function verifier(regions = ["us-east-1"]) {
  return new SigV4Verifier(secrets, new ManualClock(suiteTime), { regions });
}

function vanilla(query: string, signature: string): RequestHead & { body: Buffer } {
  return {
    method: "GET",
    rawUrl: `/${query}`,
    headers: {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    body: Buffer.alloc(0),
  };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isProfileflowError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Signs like the JavaScript SDK, with the given unsigned/extra headers, for the verifier to judge. */
async function sdkSigned(o: {
  region?: string;
  headers?: Record<string, string>;
  unsignable?: string[];
  body?: string;
  path?: string;
  query?: Record<string, string>;
}) {
  const signer = new SignatureV4({
    credentials: suite,
    region: o.region ?? "us-east-1",
    service: "profile",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: o.path ?? "/domains/d",
      query: o.query ?? {},
      headers: { host: "127.0.0.1:4590", "content-type": "application/json", ...o.headers },
      body: o.body ?? "{}",
    }),
    {
      signingDate: new Date(suiteTime),
      ...(o.unsignable ? { unsignableHeaders: new Set(o.unsignable) } : {}),
    },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  // As the SDK sends it: strict percent-encoding (a space is %20, never +).
  const q = Object.entries(o.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return {
    method: "POST",
    rawUrl: `${o.path ?? "/domains/d"}${q ? `?${q}` : ""}`,
    headers,
    body: Buffer.from(o.body ?? "{}"),
  };
}

describe("SigV4Verifier against the AWS SigV4 test suite", () => {
  it("get-vanilla and get-vanilla-query-order-key-case verify with the suite's own signatures", async () => {
    const v = verifier();
    await expect(
      v.verify(vanilla("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    ).resolves.toMatchObject({ accessKeyId: "AKIDEXAMPLE", region: "us-east-1", service: "service" });
    await expect(
      v.verify(
        vanilla(
          "?Param2=value2&Param1=value1",
          "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
      ),
    ).resolves.toMatchObject({ service: "service" });
    // One digit off: refused.
    const bad = await codeOf(
      v.verify(vanilla("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30")),
    );
    expect(bad.code).toBe("INVALID_SIGNATURE");
  });

  it("the query is canonicalized as fastify parses it: `+` is a space, `%2B` a plus; text it would keep raw is refused", async () => {
    const app = Fastify();
    app.get("/q", async (req) => req.query);
    const raws = [
      "tagKeys=a+b",
      "tagKeys=a%2Bb",
      "tagKeys=a%20b&tagKeys=a+b&tagKeys=%2B+",
      "k+1=v&k%201=w",
      "a=%C3%A9t%C3%A9&b=x%3Dy=z&c&=d&&e=",
      "next-token=a%2Fb%20c",
    ];
    try {
      for (const raw of raws) {
        const parsed = (await app.inject({ url: `/q?${raw}` })).json() as Record<string, string | string[]>;
        const ours: Record<string, string | string[]> = {};
        for (const [n, v] of parseQuery(raw)) {
          const prev = ours[n];
          ours[n] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
        }
        expect(ours, raw).toEqual(parsed);
      }
    } finally {
      await app.close();
    }
    // fast-querystring would keep these raw ('%ZZ', '%FF'): no canonical form, so never a valid signature.
    expect(() => parseQuery("k=%ZZ")).toThrow(TypeError);
    expect(() => parseQuery("k=a+%FF")).toThrow(TypeError);
  });

  it("a signature over `a%2Bb` does not verify the query `a+b` (a different tag key once parsed)", async () => {
    const plus = await sdkSigned({ path: "/tags/arn", query: { tagKeys: "a+b" } });
    expect(plus.rawUrl).toBe("/tags/arn?tagKeys=a%2Bb");
    await expect(verifier().verify(plus)).resolves.toMatchObject({ service: "profile" });
    const replayed = { ...plus, rawUrl: "/tags/arn?tagKeys=a+b" };
    expect((await codeOf(verifier().verify(replayed))).code).toBe("INVALID_SIGNATURE");
    // A space the SDK sends as %20 is the same parsed value as `+`: that one verifies either way.
    const space = await sdkSigned({ path: "/tags/arn", query: { tagKeys: "a b" } });
    expect(space.rawUrl).toBe("/tags/arn?tagKeys=a%20b");
    await expect(verifier().verify({ ...space, rawUrl: "/tags/arn?tagKeys=a+b" })).resolves.toMatchObject({
      service: "profile",
    });
  });

  it("a path with a `.`, `..` or empty segment is refused at the head: the path signed is the path routed", async () => {
    const signed = await sdkSigned({ path: "/domains/A" });
    await expect(verifier().verify(signed)).resolves.toMatchObject({ service: "profile" });
    for (const [rawUrl, what] of [
      ["/domains/A/workflows/..", "a '..' segment"],
      ["/domains/./A", "a '.' segment"],
      ["/domains//A", "an empty segment ('//')"],
      ["//domains/A", "an empty segment ('//')"],
      ["/domains/A/./?x=1", "a '.' segment"],
    ] as const) {
      const e = await codeOf(verifier().checkHead({ ...signed, rawUrl }));
      expect(e.code, rawUrl).toBe("INVALID_SIGNATURE");
      expect(e.message, rawUrl).toContain(`has ${what}; send the path normalized`);
    }
    // `.` inside a segment, and `..` in the query, are no dot segments.
    const dotted = await sdkSigned({ path: "/domains/my.domain/objects/a..b", query: { k: ".." } });
    await expect(verifier().verify(dotted)).resolves.toMatchObject({ service: "profile" });
  });

  it("canonical URI and query: dot segments and empty segments removed, path encoded again, query sorted and strictly encoded", () => {
    expect(canonicalUri("/tags/arn%3Aaws%3Aprofile%3Aus-east-1%3A0%3Adomains%2Fd")).toBe(
      "/tags/arn%253Aaws%253Aprofile%253Aus-east-1%253A0%253Adomains%252Fd",
    );
    expect(canonicalUri("/a/./b/../c//d/")).toBe("/a/c/d/");
    expect(canonicalUri("")).toBe("/");
    expect(canonicalQuery("b=2&a=%7E&a=1&c")).toBe("a=1&a=~&b=2&c=");
    expect(canonicalQuery("k=a+b&s=%2f")).toBe("k=a%20b&s=%2F");
    expect(canonicalQuery("k=a%2Bb")).toBe("k=a%2Bb");
    expect(() => canonicalQuery("k=%ZZ")).toThrow(TypeError);
  });
});

describe("SigV4Verifier refusals", () => {
  it("the signing key kept per key, date, region and service is not reused once the key's secret changed", async () => {
    let secret = suite.secretAccessKey;
    const v = new SigV4Verifier(
      { secretFor: async (id) => (id === suite.accessKeyId ? secret : undefined) },
      new ManualClock(suiteTime),
    );
    const req = await sdkSigned({});
    await expect(v.verify(req)).resolves.toMatchObject({ accessKeyId: suite.accessKeyId });
    // Same key, date, region and service (the kept signing key applies): a changed signature is refused.
    const tampered = { ...req, headers: { ...req.headers } };
    const auth = tampered.headers["authorization"]!;
    tampered.headers["authorization"] = auth.replace(/.$/, auth.endsWith("0") ? "1" : "0");
    expect((await codeOf(v.verify(tampered))).code).toBe("INVALID_SIGNATURE");
    await expect(v.verify(req)).resolves.toMatchObject({ accessKeyId: suite.accessKeyId });
    // The secret rotated: the old secret's signature is refused, not verified with the kept key.
    secret = "another-secret-of-the-same-access-key-id";
    expect((await codeOf(v.verify(req))).code).toBe("INVALID_SIGNATURE");
  });

  it("a request signed like the SDK (x-amz-content-sha256 signed) verifies, with its query", async () => {
    const req = await sdkSigned({ query: { "max-results": "5", "next-token": "a/b c" } });
    expect(req.headers["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    await expect(verifier().verify(req)).resolves.toMatchObject({ service: "profile" });
  });

  it("a region the server does not serve is refused, naming the regions it serves; a listed extra region verifies", async () => {
    const req = await sdkSigned({ region: "eu-west-1" });
    const e = await codeOf(verifier().verify(req));
    expect(e.code).toBe("INVALID_SIGNATURE");
    expect(e.message).toContain("valid region: us-east-1, not 'eu-west-1'");
    await expect(verifier(["us-east-1", "eu-west-1"]).verify(req)).resolves.toMatchObject({
      region: "eu-west-1",
    });
  });

  it("host not signed is refused before any signature is computed", async () => {
    const req = await sdkSigned({ unsignable: ["host"] });
    expect(req.headers["authorization"]).not.toMatch(/SignedHeaders=[^,]*\bhost\b/);
    const e = await codeOf(verifier().checkHead(req));
    expect(e).toMatchObject({
      code: "INVALID_SIGNATURE",
      message: expect.stringContaining("'Host' must be"),
    });
  });

  it("UNSIGNED-PAYLOAD is refused at the head, even though the signature over it is right", async () => {
    const req = await sdkSigned({ headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    const e = await codeOf(verifier().checkHead(req));
    expect(e.code).toBe("INVALID_SIGNATURE");
    expect(e.message).toMatch(/x-amz-content-sha256/);
  });

  it("a body changed after signing is refused, whether or not the client declared its hash", async () => {
    const req = await sdkSigned({ body: '{"a":1}' });
    const e = await codeOf(verifier().verify({ ...req, body: Buffer.from('{"a":2}') }));
    expect(e.message).toMatch(/x-amz-content-sha256/);
    const { "x-amz-content-sha256": _declared, ...rest } = req.headers;
    const e2 = await codeOf(verifier().verify({ ...req, headers: rest, body: Buffer.from('{"a":2}') }));
    expect(e2.code).toBe("INVALID_SIGNATURE");
  });

  it("a header added after signing is irrelevant; a signed header taken away is refused by name", async () => {
    const req = await sdkSigned({ headers: { "x-custom": "signed value" } });
    await expect(
      verifier().verify({ ...req, headers: { ...req.headers, "x-added-later": "whatever" } }),
    ).resolves.toBeDefined();
    const { "x-custom": _gone, ...rest } = req.headers;
    const e = await codeOf(verifier().verify({ ...req, headers: rest }));
    expect(e.message).toContain("'x-custom'");
  });

  it("x-amz-target and x-amz-security-token must be signed when present", async () => {
    const req = await sdkSigned({});
    const e = await codeOf(
      verifier().checkHead({
        ...req,
        headers: { ...req.headers, "x-amz-target": "secretsmanager.GetSecretValue" },
      }),
    );
    expect(e.message).toContain("'x-amz-target' must be a 'SignedHeader'");
    const withToken = await sdkSigned({ headers: { "x-amz-security-token": "session" } });
    await expect(verifier().verify(withToken)).resolves.toBeDefined();
    const e2 = await codeOf(
      verifier().checkHead({ ...req, headers: { ...req.headers, "x-amz-security-token": "session" } }),
    );
    expect(e2.message).toContain("'x-amz-security-token' must be a 'SignedHeader'");
  });

  it("malformed Authorization, unknown key, skew: each refused by checkHead with AWS's codes", async () => {
    const req = await sdkSigned({});
    const v = verifier();
    expect(
      (await codeOf(v.checkHead({ ...req, headers: { ...req.headers, authorization: undefined } }))).code,
    ).toBe("MISSING_AUTHENTICATION_TOKEN");
    const auth = req.headers["authorization"]!;
    expect(
      (
        await codeOf(
          v.checkHead({
            ...req,
            headers: { ...req.headers, authorization: auth.replace("Signature=", "Sig=") },
          }),
        )
      ).code,
    ).toBe("INVALID_SIGNATURE");
    expect(
      (
        await codeOf(
          v.checkHead({
            ...req,
            headers: { ...req.headers, authorization: auth.replace("AKIDEXAMPLE", "AKIDOTHER") },
          }),
        )
      ).code,
    ).toBe("UNRECOGNIZED_CLIENT");
    const late = new SigV4Verifier(secrets, new ManualClock(suiteTime + 16 * 60 * 1000));
    const e = await codeOf(late.checkHead(req));
    expect(e.message).toMatch(/^Signature expired: 20150830T123600Z is now earlier than/);
  });
});
