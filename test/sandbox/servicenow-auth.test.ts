import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOT_AUTHENTICATED = {
  error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
  status: "failure",
};
let sb: ServiceNowSandbox;

beforeAll(async () => {
  sb = await startServiceNowSandbox({
    seed: 3,
    people: 60,
    clock: { start: START, speed: 0 },
    rateLimitPerHour: 5,
  });
});
afterAll(() => sb.close());

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const goodBasic = () => basic(sb.credentials.username, sb.credentials.password);

async function call(authorization: string | undefined, path = "/api/now/table/sys_user?sysparm_limit=1") {
  const res = await fetch(`${sb.url}${path}`, { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}
async function token(fields: Record<string, string>, json = false) {
  const res = await fetch(`${sb.url}/oauth_token.do`, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/x-www-form-urlencoded" },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function admin(path: string, body: unknown) {
  const res = await fetch(`${sb.url}/__sandbox/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, unknown>>;
}
const passwordGrant = () => ({
  grant_type: "password",
  client_id: sb.credentials.clientId,
  client_secret: sb.credentials.clientSecret,
  username: sb.credentials.username,
  password: sb.credentials.password,
});
async function resetLimits() {
  await admin("limits/reset", {});
}

describe("ServiceNow basic auth", () => {
  it("accepts the integration user and rejects anything else with the exact 401 body", async () => {
    await resetLimits();
    expect((await call(goodBasic())).status).toBe(200);
    for (const h of [undefined, basic(sb.credentials.username, "wrong"), "Bearer nope"]) {
      const r = await call(h);
      expect(r.status).toBe(401);
      expect(r.body).toEqual(NOT_AUTHENTICATED);
    }
  });
});

describe("ServiceNow OAuth", () => {
  it("issues tokens for the password grant that expire after 1800 s; refresh gives a working token", async () => {
    await resetLimits();
    const t = await token(passwordGrant());
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ scope: "useraccount", token_type: "Bearer", expires_in: 1799 });
    const access = String(t.body.access_token);
    expect((await call(`Bearer ${access}`)).status).toBe(200);
    await admin("clock", { advanceMs: 1_800_000 });
    const expired = await call(`Bearer ${access}`);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(NOT_AUTHENTICATED);
    const r = await token({
      grant_type: "refresh_token",
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
      refresh_token: String(t.body.refresh_token),
    });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBe(t.body.refresh_token);
    expect((await call(`Bearer ${String(r.body.access_token)}`)).status).toBe(200);
  });

  it("rotates refresh tokens when the knob says so", async () => {
    await admin("knobs", { rotateRefreshTokens: true });
    try {
      const t = await token(passwordGrant());
      const refresh = (rt: unknown) =>
        token({
          grant_type: "refresh_token",
          client_id: sb.credentials.clientId,
          client_secret: sb.credentials.clientSecret,
          refresh_token: String(rt),
        });
      const r1 = await refresh(t.body.refresh_token);
      expect(r1.status).toBe(200);
      expect(r1.body.refresh_token).not.toBe(t.body.refresh_token);
      const again = await refresh(t.body.refresh_token);
      expect(again).toEqual({
        status: 401,
        body: { error_description: "access_denied", error: "server_error" },
      });
    } finally {
      await admin("knobs", { rotateRefreshTokens: false });
    }
  });

  it("rejects bad clients, bad users, unknown refresh tokens and JSON bodies", async () => {
    const failure = { status: 401, body: { error_description: "access_denied", error: "server_error" } };
    expect(await token({ ...passwordGrant(), client_secret: "x" })).toEqual(failure);
    expect(await token({ ...passwordGrant(), password: "x" })).toEqual(failure);
    expect(await token({ ...passwordGrant(), grant_type: "refresh_token", refresh_token: "nope" })).toEqual(
      failure,
    );
    expect(await token(passwordGrant(), true)).toEqual(failure);
  });
});

describe("ServiceNow limits and errors", () => {
  it("answers the 6th request in the hour with 429, Retry-After and the rule headers", async () => {
    await resetLimits();
    await admin("clock", { set: Date.UTC(2025, 0, 20, 10, 0, 0) });
    for (let i = 0; i < 5; i++) expect((await call(goodBasic())).status).toBe(200);
    const r = await call(goodBasic());
    expect(r.status).toBe(429);
    expect(r.body).toEqual({
      error: {
        message: "Rate limit exceeded",
        detail: "Rate limit of 5 requests per hour for Table API exceeded",
      },
      status: "failure",
    });
    const retryAfter = Number(r.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(r.headers.get("x-ratelimit-limit")).toBe("5");
    expect(Number(r.headers.get("x-ratelimit-reset"))).toBeGreaterThan(
      Date.UTC(2025, 0, 20, 10, 0, 0) / 1000,
    );
    expect(r.headers.get("x-ratelimit-rule")).toMatch(/^[0-9a-f]{32}$/);
    await admin("clock", { advanceMs: retryAfter * 1000 });
    expect((await call(goodBasic())).status).toBe(200);
  });

  it("scales the hourly rule with the rate-limit scale knob", async () => {
    await resetLimits();
    await admin("knobs", { rateLimitScale: 100 });
    try {
      for (let i = 0; i < 12; i++) expect((await call(goodBasic())).status).toBe(200);
    } finally {
      await admin("knobs", { rateLimitScale: 1 });
    }
  });

  it("injects transient, rate-limit and auth-expiry faults with ServiceNow's bodies", async () => {
    await resetLimits();
    await admin("knobs", { rateLimitScale: 100, errorRate: { transient: 1 } });
    try {
      const t = await call(goodBasic());
      expect(t.status).toBe(500);
      expect(t.body).toMatchObject({ error: { message: "Internal server error" }, status: "failure" });
      await admin("knobs", { errorRate: { transient: 0, rateLimit: 1 } });
      const rl = await call(goodBasic());
      expect(rl.status).toBe(429);
      expect(Number(rl.headers.get("retry-after"))).toBeGreaterThan(0);
      await admin("knobs", { errorRate: { rateLimit: 0 } });
      const access = String((await token(passwordGrant())).body.access_token);
      await admin("knobs", { errorRate: { authExpiry: 1 } });
      expect((await call(`Bearer ${access}`)).body).toEqual(NOT_AUTHENTICATED);
      await admin("knobs", { errorRate: { authExpiry: 0 } });
      expect((await call(`Bearer ${access}`)).status).toBe(401);
    } finally {
      await admin("knobs", { rateLimitScale: 1, errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 } });
    }
  });

  it("answers unknown tables with 404 and unknown paths with 400", async () => {
    await resetLimits();
    const t = await call(goodBasic(), "/api/now/table/u_nope");
    expect(t).toMatchObject({
      status: 404,
      body: { error: { message: "Invalid table u_nope", detail: null }, status: "failure" },
    });
    const p = await call(goodBasic(), "/api/now/nothing");
    expect(p.status).toBe(400);
    expect(p.body).toMatchObject({ error: { message: "Requested URI does not represent any resource" } });
  });
});
