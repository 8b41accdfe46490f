import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConnectorError,
  FakeTimer,
  HttpClient,
  type HttpClientOptions,
  isConnectorError,
  OAuthTokenSource,
} from "../../../src/connectors/sdk/index.ts";
import { failure } from "./connector-failure.ts";
import { badJson, hang, reply, ScriptServer, truncated } from "./script-server.ts";

let server: ScriptServer;
let timer: FakeTimer;
const clients: HttpClient[] = [];

beforeEach(async () => {
  timer = new FakeTimer();
  server = await new ScriptServer().start();
  server.stamp = () => timer.now();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.stop();
});

function client(o: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({ baseUrl: server.url, timer, random: () => 1, ...o });
  clients.push(c);
  return c;
}

describe("HttpClient retries", () => {
  it("backs off exponentially on 5xx and then succeeds", async () => {
    server.script("/t", reply(503, { error: "down" }), reply(502, {}), reply(200, { ok: 1 }));
    const res = await client().request({ path: "/t" });
    expect(res.body).toEqual({ ok: 1 });
    expect(server.hits("/t")).toHaveLength(3);
    expect(timer.sleeps).toEqual([1000, 2000]); // random() = 1 → the full ceiling
  });

  it("gives up on transient failures after maxAttempts, as class transient", async () => {
    server.otherwise(reply(500, { error: { message: "boom" } }));
    const e = await failure(client({ retry: { maxAttempts: 4 } }).request({ path: "/t" }));
    expect(e.class).toBe("transient");
    expect(e.status).toBe(500);
    expect(server.received).toHaveLength(4);
  });

  it("honours Retry-After in seconds and sends nothing before it elapses", async () => {
    server.script("/t", reply(429, {}, { "retry-after": "7" }), reply(200, { ok: 1 }));
    const start = timer.now();
    await client().request({ path: "/t" });
    expect(timer.sleeps).toEqual([7000]);
    expect(server.received[1]!.at - start).toBeGreaterThanOrEqual(7000);
  });

  it("honours Retry-After as an HTTP date measured against the server's Date header", async () => {
    const serverNow = Date.UTC(2030, 0, 1, 0, 0, 0);
    server.script(
      "/t",
      reply(
        429,
        {},
        {
          date: new Date(serverNow).toUTCString(),
          "retry-after": new Date(serverNow + 12_000).toUTCString(),
        },
      ),
      reply(200, {}),
    );
    await client().request({ path: "/t" });
    expect(timer.sleeps).toEqual([12_000]);
  });

  it("pauses concurrent requests of the same client while a Retry-After is pending", async () => {
    // A timer whose sleeps wait until the test releases them: time moves only then.
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let sleeping = () => {};
    const firstSleep = new Promise<void>((r) => {
      sleeping = r;
    });
    const waiting: number[] = [];
    const gated = {
      now: () => timer.now(),
      sleep: async (ms: number) => {
        waiting.push(ms);
        sleeping();
        await released;
        await timer.sleep(ms);
      },
    };
    server.script("/a", reply(429, {}, { "retry-after": "30" }), reply(200, {}));
    server.otherwise(reply(200, {}));
    const c = client({ timer: gated });
    const start = timer.now();
    const a = c.request({ path: "/a" });
    await firstSleep; // /a's 429 has arrived: the client waits out its Retry-After
    const b = c.request({ path: "/b" });
    // /b, sent after /a's 429 arrived, waits out the same Retry-After instead of leaving.
    expect(waiting).toEqual([30_000, 30_000]);
    expect(server.hits("/b")).toHaveLength(0);
    release();
    await Promise.all([a, b]);
    expect(server.hits("/a")[1]!.at - start).toBeGreaterThanOrEqual(30_000);
    expect(server.hits("/b")[0]!.at - start).toBeGreaterThanOrEqual(30_000);
  });

  it("turns a Retry-After longer than the inline limit into quota_exhausted with resetAt", async () => {
    server.script("/t", reply(429, {}, { "retry-after": "3600" }));
    const start = timer.now();
    const e = await failure(client().request({ path: "/t" }));
    expect(e.class).toBe("quota_exhausted");
    expect(e.resetAt).toBe(start + 3_600_000);
    expect(server.received).toHaveLength(1);
  });

  it("waits out a short quota reset without using an attempt", async () => {
    let n = 0;
    const c = client({
      retry: { maxAttempts: 1 },
      classify: (r) =>
        r.status === 200 && n++ === 0
          ? new ConnectorError("quota_exhausted", "daily quota", { resetAt: timer.now() + 10_000 })
          : undefined,
    });
    server.otherwise(reply(200, { ok: 1 }));
    const res = await c.request({ path: "/t" });
    expect(res.body).toEqual({ ok: 1 });
    expect(timer.sleeps).toEqual([10_000]);
  });

  it("does not retry config errors (403) and keeps the vendor message", async () => {
    server.otherwise(reply(403, { error: { message: "ACL denied", detail: "no role" }, status: "failure" }));
    const e = await failure(client().request({ path: "/t" }));
    expect(e.class).toBe("config");
    expect(e.message).toContain("ACL denied");
    expect(server.received).toHaveLength(1);
  });

  it("applies the connector's error table before the defaults", async () => {
    server.otherwise(reply(400, [{ errorCode: "QUERY_TIMEOUT" }]));
    const e = await failure(
      client({
        retry: { maxAttempts: 2 },
        errorRules: [
          { status: 400, bodyIncludes: "QUERY_TIMEOUT", class: "transient", reason: "query timed out" },
        ],
      }).request({ path: "/t" }),
    );
    expect(e.class).toBe("transient");
    expect(e.message).toMatch(/^query timed out/);
    expect(server.received).toHaveLength(2);
  });

  it("retries a body cut short by the socket and a truncated JSON body", async () => {
    server.script("/t", truncated, badJson, reply(200, { result: [] }));
    const res = await client().request({ path: "/t" });
    expect(res.body).toEqual({ result: [] });
    expect(server.received).toHaveLength(3);
  });

  it("classifies a headers timeout as transient and retries", async () => {
    server.script("/t", hang, reply(200, { ok: 1 }));
    const res = await client({ timeouts: { headersMs: 300 } }).request({ path: "/t" });
    expect(res.body).toEqual({ ok: 1 });
    expect(server.received).toHaveLength(2);
  });

  it("acquires the rate budget before every request", async () => {
    let acquired = 0;
    server.script("/t", reply(500, {}), reply(200, {}));
    await client({ rateBudget: { acquire: async () => void acquired++ } }).request({ path: "/t" });
    expect(acquired).toBe(2);
  });

  it("learns the server's clock from its Date header", async () => {
    const serverNow = Date.UTC(2031, 5, 1, 12, 0, 0);
    server.otherwise(reply(200, {}, { date: new Date(serverNow).toUTCString() }));
    const c = client();
    await c.request({ path: "/t" });
    expect(c.serverNow()).toBe(serverNow);
  });
});

describe("token refresh", () => {
  function oauth(refreshToken: string | undefined, rotated: string[]) {
    const tokenHttp = client();
    const source = new OAuthTokenSource({
      http: tokenHttp,
      tokenPath: "/oauth_token.do",
      timer,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      refreshGrant: (rt) => ({ grant_type: "refresh_token", refresh_token: rt }),
      onRefreshToken: (rt) => void rotated.push(rt),
    });
    return client({ auth: source, dispatcher: tokenHttp.dispatcher });
  }

  it("refreshes once on 401, persists a rotated refresh token and retries", async () => {
    const rotated: string[] = [];
    server.script(
      "/oauth_token.do",
      reply(200, { access_token: "A1", refresh_token: "R2", expires_in: 1799 }),
      reply(200, { access_token: "A2", refresh_token: "R3", expires_in: 1799 }),
    );
    server.script("/api", reply(200, { n: 1 }), reply(401, { error: { message: "User Not Authenticated" } }));
    server.script("/api", reply(200, { n: 2 }));
    const c = oauth("R1", rotated);
    await c.request({ path: "/api" });
    const res = await c.request({ path: "/api" });
    expect(res.body).toEqual({ n: 2 });
    expect(rotated).toEqual(["R2", "R3"]);
    const grants = server
      .hits("/oauth_token.do")
      .map((r) => new URLSearchParams(r.body).get("refresh_token"));
    expect(grants).toEqual(["R1", "R2"]);
    expect(server.hits("/api").map((r) => r.headers.authorization)).toEqual([
      "Bearer A1",
      "Bearer A1",
      "Bearer A2",
    ]);
  });

  it("refreshes before expiry without waiting for a 401", async () => {
    server.script(
      "/oauth_token.do",
      reply(200, { access_token: "A1", expires_in: 120 }),
      reply(200, { access_token: "A2", expires_in: 120 }),
    );
    server.otherwise(reply(200, {}));
    const c = oauth("R1", []);
    await c.request({ path: "/api" });
    timer.advance(61_000);
    await c.request({ path: "/api" });
    expect(server.hits("/api").map((r) => r.headers.authorization)).toEqual(["Bearer A1", "Bearer A2"]);
  });

  it("stops with class auth after one refresh when the source keeps refusing", async () => {
    server.script(
      "/oauth_token.do",
      reply(200, { access_token: "A1" }),
      reply(200, { access_token: "A2" }),
      reply(200, { access_token: "A3" }),
    );
    server.script("/api", reply(401, {}), reply(401, {}), reply(401, {}));
    const e = await failure(oauth("R1", []).request({ path: "/api" }));
    expect(e.class).toBe("auth");
    expect(server.hits("/oauth_token.do")).toHaveLength(2);
    expect(server.hits("/api")).toHaveLength(2);
  });

  it("reports a revoked refresh token precisely", async () => {
    server.script(
      "/oauth_token.do",
      reply(401, { error: "invalid_grant", error_description: "access_denied" }),
    );
    const e = await failure(oauth("R1", []).request({ path: "/api" }));
    expect(isConnectorError(e, "auth")).toBe(true);
    expect(e.message).toMatch(/^refresh token revoked or expired/);
    expect(server.hits("/api")).toHaveLength(0);
  });

  it("makes one refresh for many parallel 401s", async () => {
    server.script("/oauth_token.do", reply(200, { access_token: "A1" }), reply(200, { access_token: "A2" }));
    server.script("/api", reply(401, {}), reply(401, {}), reply(401, {}));
    server.otherwise(reply(200, {}));
    const c = oauth("R1", []);
    await c.request({ path: "/warm" });
    await Promise.all([
      c.request({ path: "/api" }),
      c.request({ path: "/api" }),
      c.request({ path: "/api" }),
    ]);
    expect(server.hits("/oauth_token.do")).toHaveLength(2);
  });
});
