import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  GetProfileObjectTypeCommand,
  ListTagsForResourceCommand,
  PutProfileObjectTypeCommand,
  TagResourceCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/api/app.ts";
import { type ConfigInput, loadConfig } from "../../src/config/config.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/core/logger.ts";
import { composeServer, type Server } from "../../src/main.ts";
import { SigV4Verifier } from "../../src/security/sigv4-verifier.ts";
import { RawConnection, type RawResponse, signedHead } from "../helpers/raw-http.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const SIX_MIB = 6 * 1024 * 1024;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer("sqlite");
});
afterAll(async () => t.close());

function expectAwsShape(
  r: RawResponse,
  status: number,
  type: string,
  member: "Message" | "message" = "Message",
) {
  expect(r.status).toBe(status);
  expect(r.headers["x-amzn-errortype"]).toBe(type);
  expect(r.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.parse(r.body)).toHaveProperty(member, expect.any(String));
}

async function exchange(data: string | Buffer): Promise<RawResponse> {
  const c = await RawConnection.open(t.endpoint);
  try {
    c.write(data);
    return await c.response();
  } finally {
    c.destroy();
  }
}

describe("the edge refuses before it reads", () => {
  it("30 unsigned and unknown-key requests declaring 6 MiB bodies are each answered 403 after 64 KiB, and closed", async () => {
    const host = new URL(t.endpoint).host;
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const unknownKey = `AWS4-HMAC-SHA256 Credential=AKIDNOBODYNOBODY/${amzDate.slice(0, 8)}/us-east-1/profile/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
    const conns = await Promise.all(Array.from({ length: 30 }, () => RawConnection.open(t.endpoint)));
    const answers = await Promise.all(
      conns.map(async (c, i) => {
        const auth = i % 2 === 0 ? "" : `Authorization: ${unknownKey}\r\nX-Amz-Date: ${amzDate}\r\n`;
        c.write(
          `POST /domains/d${i} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${auth}Content-Length: ${SIX_MIB}\r\n\r\n`,
        );
        c.write(Buffer.alloc(64 * 1024, 0x20));
        // Nothing more is sent: a server that read the body before checking would never answer.
        const r = await c.response();
        await c.closedByServer();
        return r;
      }),
    );
    for (const [i, r] of answers.entries()) {
      expectAwsShape(
        r,
        403,
        i % 2 === 0 ? "MissingAuthenticationTokenException" : "UnrecognizedClientException",
      );
      expect(r.headers["connection"]).toBe("close");
    }
  });

  it("a client still writing the body of a refused request reads the answer, not a reset (the close lingers)", async () => {
    const host = new URL(t.endpoint).host;
    const socket = connect(Number(new URL(t.endpoint).port), new URL(t.endpoint).hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    const errors: string[] = [];
    socket.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    // Unsigned, so refused from its head; the whole declared body is sent, as clients do.
    const size = 5 * 1024 * 1024;
    socket.write(
      `POST /domains/linger HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size && !socket.destroyed; sent += chunk.length) {
      if (!socket.write(chunk)) {
        await new Promise((resolve) => {
          socket.once("drain", resolve);
          socket.once("close", resolve);
        });
      }
    }
    socket.end();
    await closed;
    expect(errors).toEqual([]);
    const text = Buffer.concat(received).toString("latin1");
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(text).toContain("MissingAuthenticationTokenException");
  });

  it("Expect: 100-continue — an unknown key is refused without being invited to send; a signed head is invited", async () => {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const c = await RawConnection.open(t.endpoint);
    c.write(
      `POST /domains/expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${SIX_MIB}\r\nX-Amz-Date: ${amzDate}\r\n` +
        `Authorization: AWS4-HMAC-SHA256 Credential=AKIDNOBODYNOBODY/${amzDate.slice(0, 8)}/us-east-1/profile/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}\r\n\r\n`,
    );
    expectAwsShape(await c.response(), 403, "UnrecognizedClientException");
    expect(c.received).not.toContain("100 Continue");
    c.destroy();

    const body = Buffer.from(JSON.stringify({ DefaultExpirationDays: 30 }));
    const head = await signedHead({
      endpoint: t.endpoint,
      method: "POST",
      path: "/domains/expect-ok",
      body,
      credentials: t.credentials,
      headers: { expect: "100-continue" },
    });
    const ok = await RawConnection.open(t.endpoint);
    ok.write(head);
    await ok.until("HTTP/1.1 100 Continue\r\n\r\n");
    ok.write(body);
    const r = await ok.response();
    expect({ status: r.status, body: JSON.parse(r.body).DomainName }).toEqual({
      status: 200,
      body: "expect-ok",
    });
    ok.destroy();
  });

  it("a signed head declaring more than the body limit is refused with 413 from the head: no 100 Continue, no body read", async () => {
    const head = await signedHead({
      endpoint: t.endpoint,
      method: "POST",
      path: "/domains/too-big",
      body: Buffer.alloc(1024),
      contentLength: 7 * 1024 * 1024,
      credentials: t.credentials,
      headers: { expect: "100-continue" },
    });
    const c = await RawConnection.open(t.endpoint);
    c.write(head);
    expectAwsShape(await c.response(), 413, "BadRequestException");
    expect(c.received).not.toContain("100 Continue");
    c.destroy();
  });

  it("a signed request with a wrong region is refused at the head too", async () => {
    const head = await signedHead({
      endpoint: t.endpoint,
      method: "POST",
      path: "/domains/d",
      body: Buffer.alloc(1024),
      contentLength: SIX_MIB,
      credentials: t.credentials,
    });
    const r = await exchange(head.replace(/\/us-east-1\//, "/eu-west-1/"));
    expectAwsShape(r, 403, "InvalidSignatureException");
    expect(JSON.parse(r.body).Message).toContain("valid region: us-east-1, not 'eu-west-1'");
  });
});

describe("framework and client errors in the service's AWS shape, never a 5xx", () => {
  it("a malformed percent escape in the path → 400", async () => {
    const r = await exchange(`GET /domains/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectAwsShape(r, 400, "BadRequestException");
    expect(JSON.parse(r.body).Message).toMatch(/malformed percent escape/);
  });

  it("headers over Node's limit → 431 in the signing service's shape (AppFlow: ValidationException, message)", async () => {
    const scope = "Credential=AKIDX/20260101/us-east-1/appflow/aws4_request";
    const r = await exchange(
      `POST /list-flows HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 ${scope}\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expectAwsShape(r, 431, "ValidationException", "message");
  });

  it("a bad Content-Length, a bad request line, a non-ASCII URL → 400", async () => {
    expectAwsShape(
      await exchange("POST /domains HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
      400,
      "BadRequestException",
    );
    expectAwsShape(await exchange("NOT HTTP AT ALL\r\n\r\n"), 400, "BadRequestException");
    expectAwsShape(
      await exchange(
        Buffer.concat([
          Buffer.from("GET /domains/"),
          Buffer.from("é"),
          Buffer.from(" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ]),
      ),
      400,
      "BadRequestException",
    );
  });

  it("a body shorter than its Content-Length, then closed → no answer needed, nothing logged above debug", async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logged = await startTestServer("sqlite", { logger: createLogger("debug", sink) });
    try {
      const body = Buffer.from(JSON.stringify({ tags: { a: "b".repeat(900) } }));
      const head = await signedHead({
        endpoint: logged.endpoint,
        method: "POST",
        path: `/tags/${encodeURIComponent("arn:aws:profile:us-east-1:000000000000:domains/x")}`,
        body,
        credentials: logged.credentials,
      });
      const incoming: IncomingMessage[] = [];
      logged.server.app.server.on("request", (req: IncomingMessage) => incoming.push(req));
      const c = await RawConnection.open(logged.endpoint);
      c.write(head);
      c.write(body.subarray(0, 10));
      // Once the head has passed, the server reads the body (the stream flows); then the client goes away.
      await vi.waitFor(() => expect(incoming[0]?.readableFlowing).toBe(true));
      c.destroy();
      await vi.waitFor(() => expect(lines.map((l) => l.msg)).toContain("client aborted"), {
        timeout: 10_000,
      });
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.find((l) => l.msg === "client aborted")?.level).toBe(20);
    } finally {
      await logged.close();
    }
  });

  it("a handler failing after the whole body was read is still an error line (only a client gone away is debug)", async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const credentials = { accessKeyId: "AKIDFAILINGHANDLER", secretAccessKey: "s" };
    const app = createApp({
      verifier: new SigV4Verifier(
        { secretFor: async (id) => (id === credentials.accessKeyId ? "s" : undefined) },
        systemClock,
      ),
      services: [
        {
          service: "profile",
          operations: [
            {
              name: "Boom",
              method: "POST",
              path: "/boom",
              handler: async () => {
                throw new Error("a bug");
              },
            },
          ],
        },
      ],
      logger: createLogger("debug", sink),
    });
    const endpoint = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const r = await signedFetch(endpoint, { method: "POST", path: "/boom", body: '{"a":1}', credentials });
      expect(r.status).toBe(500);
      expect(lines.find((l) => l.msg === "request failed")?.level).toBe(50);
      expect(lines.map((l) => l.msg)).not.toContain("client aborted");
    } finally {
      await app.close();
    }
  });

  it("path parameters up to AWS's limits: a 200-character object type name and its ARN in TagResource; 256 is refused naming ObjectTypeName", async () => {
    const { CreateDomainCommand } = await import("@aws-sdk/client-customer-profiles");
    await t.profiles.send(new CreateDomainCommand({ DomainName: "long-params", DefaultExpirationDays: 30 }));
    const name = "o".repeat(200);
    await t.profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "long-params",
        ObjectTypeName: name,
        Description: "long name",
        Fields: { e: { Source: "_source.e", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" } },
        Keys: { _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["e"] }] },
      }),
    );
    expect(
      (
        await t.profiles.send(
          new GetProfileObjectTypeCommand({ DomainName: "long-params", ObjectTypeName: name }),
        )
      ).ObjectTypeName,
    ).toBe(name);
    const arn = `arn:aws:profile:us-east-1:000000000000:domains/long-params/object-types/${name}`;
    await t.profiles.send(new TagResourceCommand({ resourceArn: arn, tags: { k: "v" } }));
    expect((await t.profiles.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      k: "v",
    });
    const e = await t.profiles
      .send(new GetProfileObjectTypeCommand({ DomainName: "long-params", ObjectTypeName: "o".repeat(256) }))
      .catch((x: Error & { $metadata: { httpStatusCode?: number } }) => x);
    expect(e).toMatchObject({ name: "BadRequestException", $metadata: { httpStatusCode: 400 } });
    expect((e as Error).message).toMatch(/ObjectTypeName/);
  });
});

/** A profileflow with the given edge settings, on a fresh SQLite data directory. */
async function startLimited(settings: Partial<Record<keyof ConfigInput, unknown>>) {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-edge-limits-"));
  const credentials = { accessKeyId: "AKIDEDGELIMITSTEST", secretAccessKey: "edge-limits-secret" };
  const config = loadConfig({ flags: { port: 0, dataDir, logLevel: "silent", ...credentials, ...settings } });
  const server: Server = await composeServer(config, { logger: createLogger("silent") });
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  return {
    endpoint,
    credentials,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe("timeouts (each a setting)", () => {
  let s: Awaited<ReturnType<typeof startLimited>>;
  beforeAll(async () => {
    s = await startLimited({ requestTimeoutMs: 600, headersTimeoutMs: 300, keepAliveTimeoutMs: 1000 });
  });
  afterAll(async () => s.close());

  it("a body that stops arriving is cut off by the request timeout: 408 RequestTimeoutException, connection closed", async () => {
    const body = Buffer.from("{}".padEnd(100, " "));
    const head = await signedHead({
      endpoint: s.endpoint,
      method: "POST",
      path: "/domains/slow",
      body,
      credentials: s.credentials,
    });
    const c = await RawConnection.open(s.endpoint);
    c.write(head);
    c.write(body.subarray(0, 10));
    const r = await c.response();
    expectAwsShape(r, 408, "RequestTimeoutException");
    await c.closedByServer();
  });

  it("headers that stop arriving are cut off by the headers timeout", async () => {
    const c = await RawConnection.open(s.endpoint);
    c.write("GET /domains HTTP/1.1\r\nHost: x\r\n");
    expectAwsShape(await c.response(), 408, "RequestTimeoutException");
    await c.closedByServer();
  });

  it("an idle kept-alive connection is closed after the keep-alive timeout", async () => {
    const c = await RawConnection.open(s.endpoint);
    c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    const r = await c.response();
    expect(r.status).toBe(200);
    expect(r.headers["keep-alive"]).toBe("timeout=1");
    await c.closedByServer();
  });
});

describe("the connection cap (a setting)", () => {
  let s: Awaited<ReturnType<typeof startLimited>>;
  beforeAll(async () => {
    s = await startLimited({ maxConnections: 3 });
  });
  afterAll(async () => s.close());

  it("connections beyond maxConnections are closed on arrival; the cap frees as connections close", async () => {
    const held = await Promise.all([1, 2, 3].map(() => RawConnection.open(s.endpoint)));
    for (const h of held) {
      h.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      expect((await h.response()).status).toBe(200);
    }
    const extra = await RawConnection.open(s.endpoint);
    extra.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await extra.closedByServer();
    await expect(extra.response()).rejects.toThrow(/connection closed after 0 bytes/);
    for (const h of held) h.destroy();
    await vi.waitFor(async () => {
      const again = await RawConnection.open(s.endpoint);
      again.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      expect((await again.response().finally(() => again.destroy())).status).toBe(200);
    });
  });
});
