import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { restoreKnobsAfterEach } from "../helpers/sandbox-knobs.ts";
import { waitFor } from "../helpers/wait-for.ts";

// Raw-HTTP fidelity: exact error bodies, token expiry, limits, deletions, bursts, bulk locators.
let sf: SalesforceSandbox;
let token: string;
let refreshToken: string;
const V = "/services/data/v61.0";

async function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  const auth = init.auth === undefined ? token : init.auth;
  if (auth) headers.authorization = `Bearer ${auth}`;
  const r = await fetch(sf.url + path, { ...init, headers });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, body: body as any };
}
const admin = (path: string, body?: unknown, method = "POST") =>
  call(`/__sandbox/${path}`, { method, auth: null, ...(body ? { body: JSON.stringify(body) } : {}) });
const soql = (q: string, all = false) =>
  call(`${V}/${all ? "queryAll" : "query"}?q=${encodeURIComponent(q)}`);
const form = (o: Record<string, string>) =>
  call("/services/oauth2/token", {
    method: "POST",
    auth: null,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(o).toString(),
  });
const jwt = (claims: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

beforeAll(async () => {
  sf = await startSalesforceSandbox({ seed: 5, people: 5000, clock: { speed: 0 }, dailyApiRequests: 10_000 });
  token = sf.credentials.accessToken;
});
restoreKnobsAfterEach(() => sf.url);
afterAll(async () => {
  await sf?.close();
});

describe("Salesforce sandbox over raw HTTP", () => {
  it("issues tokens for refresh_token, client_credentials and JWT bearer; rotates refresh tokens when asked", async () => {
    const c = sf.credentials;
    const r1 = await form({
      grant_type: "refresh_token",
      refresh_token: c.refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(r1.status).toBe(200);
    expect(Object.keys(r1.body).sort()).toEqual([
      "access_token",
      "id",
      "instance_url",
      "issued_at",
      "scope",
      "signature",
      "token_type",
    ]);
    expect(r1.body.instance_url).toBe(sf.url);
    const cc = await form({
      grant_type: "client_credentials",
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(cc.body.token_format).toBe("opaque");
    expect((await call(`${V}/limits`, { auth: cc.body.access_token })).status).toBe(200);
    const exp = Math.floor(sf.world.clock.now() / 1000) + 180;
    const ok = await form({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: jwt({ iss: c.clientId, sub: c.username, aud: "https://login.salesforce.com", exp }),
    });
    expect(ok.status).toBe(200);
    const late = await form({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: jwt({
        iss: c.clientId,
        sub: c.username,
        aud: "https://login.salesforce.com",
        exp: exp - 3600,
      }),
    });
    expect(late).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await form({ grant_type: "password" })).body.error).toBe("unsupported_grant_type");

    await admin("knobs", { rotateRefreshTokens: true });
    const rot = await form({
      grant_type: "refresh_token",
      refresh_token: c.refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(rot.body.refresh_token).toBeTruthy();
    const old = await form({
      grant_type: "refresh_token",
      refresh_token: c.refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(old).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "expired access/refresh token" },
    });
    const next = await form({
      grant_type: "refresh_token",
      refresh_token: rot.body.refresh_token,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(next.status).toBe(200);
    token = next.body.access_token;
    refreshToken = next.body.refresh_token;
  });

  it("expires idle sessions on the sandbox clock with Salesforce's exact 401", async () => {
    await admin("knobs", { tokenTtlMs: 60_000 });
    expect((await call(`${V}/limits`)).status).toBe(200);
    await admin("clock", { advanceMs: 61_000 });
    const r = await call(`${V}/limits`);
    expect(r.status).toBe(401);
    expect(r.body).toEqual([{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
    const c = sf.credentials;
    token = (await form({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: c.clientId }))
      .body.access_token;
    expect((await call(`${V}/limits`)).status).toBe(200);
  });

  it("answers errors in Salesforce's JSON array shape", async () => {
    const bad = await soql("SELECT Id FROM Contact WHERE");
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe("MALFORMED_QUERY");
    const field = await soql("SELECT Id, Nope FROM Contact");
    expect(field.body[0].errorCode).toBe("INVALID_FIELD");
    expect((await soql("SELECT Id FROM Opportunity")).body[0].errorCode).toBe("INVALID_TYPE");
    await admin("knobs", { queryTimeoutRows: 100 });
    const slow = await soql("SELECT Id FROM Contact");
    expect(slow.body).toEqual([
      { message: "Your query request was running for too long.", errorCode: "QUERY_TIMEOUT" },
    ]);
    expect((await soql("SELECT Id FROM Contact LIMIT 5")).body[0].errorCode).toBe("QUERY_TIMEOUT");
    await admin("knobs", { queryTimeoutRows: 0, errorRate: { transient: 1 } });
    const down = await call(`${V}/limits`);
    expect(down.status).toBe(503);
    expect(down.body[0].errorCode).toBe("SERVER_UNAVAILABLE");
  });

  it("filters and orders with SOQL: date windows, ids, COUNT(), LIMIT", async () => {
    const all = await soql("SELECT Id, SystemModstamp FROM Account ORDER BY SystemModstamp, Id");
    const mid = all.body.records[300];
    const from = mid.SystemModstamp.replace(".000+0000", "Z");
    const win = await soql(
      `SELECT Id FROM Account WHERE SystemModstamp >= ${from} AND SystemModstamp < 2100-01-01T00:00:00Z ORDER BY SystemModstamp, Id`,
    );
    expect(win.body.records[0].Id).toBe(
      all.body.records.find((r: { SystemModstamp: string }) => r.SystemModstamp === mid.SystemModstamp).Id,
    );
    expect(win.body.totalSize).toBe(
      all.body.records.filter((r: { SystemModstamp: string }) => r.SystemModstamp >= mid.SystemModstamp)
        .length,
    );
    const count = await soql(`SELECT COUNT() FROM Account WHERE SystemModstamp < ${from}`);
    expect(count.body).toEqual({
      totalSize: all.body.records.filter(
        (r: { SystemModstamp: string }) => r.SystemModstamp < mid.SystemModstamp,
      ).length,
      done: true,
      records: [],
    });
    const byId = await soql(`SELECT Id FROM Account WHERE Id = '${mid.Id}'`);
    expect(byId.body.records.map((r: { Id: string }) => r.Id)).toEqual([mid.Id]);
    const desc = await soql("SELECT Id, Name FROM Account ORDER BY Name DESC, Id LIMIT 3");
    expect(desc.body.records).toHaveLength(3);
    expect(desc.body.records[0].Name >= desc.body.records[2].Name).toBe(true);
  });

  it("serves an equal-timestamp burst of 2,500 across pages in (SystemModstamp, Id) order", async () => {
    const at = new Date(sf.world.clock.now() - 30_000);
    at.setUTCMilliseconds(0);
    expect((await admin("burst", { object: "Contact", size: 2500, at: at.toISOString() })).body.updated).toBe(
      2500,
    );
    const lit = at.toISOString().replace(".000Z", "Z");
    const page1 = await soql(
      `SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= ${lit} ORDER BY SystemModstamp, Id`,
    );
    expect(page1.body.totalSize).toBe(2500);
    expect(page1.body.records).toHaveLength(2000);
    const page2 = await call(page1.body.nextRecordsUrl);
    expect(page2.body.done).toBe(true);
    const rows = [...page1.body.records, ...page2.body.records];
    expect(new Set(rows.map((r) => r.SystemModstamp))).toEqual(
      new Set([at.toISOString().replace("Z", "+0000")]),
    );
    const ids = rows.map((r) => r.Id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(2500);
  });

  it("reports deletions through queryAll and sobjects/{o}/deleted; late-visible records appear behind a watermark", async () => {
    const now = sf.world.clock.now();
    const victim = (await soql("SELECT Id FROM Contact LIMIT 1")).body.records[0].Id;
    expect((await admin(`records/Contact/${victim}`, undefined, "DELETE")).status).toBe(200);
    expect((await soql(`SELECT Id FROM Contact WHERE Id = '${victim}'`)).body.totalSize).toBe(0);
    const all = await soql(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${victim}'`, true);
    expect(all.body.records).toEqual([expect.objectContaining({ Id: victim, IsDeleted: true })]);
    // Deletions are reported up to latestDateCovered, a whole minute in the past.
    await admin("clock", { advanceMs: 120_000 });
    const start = new Date(now - 3_600_000).toISOString();
    const end = new Date(now + 60_000).toISOString();
    const del = await call(
      `${V}/sobjects/Contact/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    expect(del.body.deletedRecords.map((d: { id: string }) => d.id)).toContain(victim);
    expect(del.body.latestDateCovered).toMatch(/\+0000$/);

    // A record committed now but stamped 10 minutes ago: a reader whose watermark passed it only sees it with overlap.
    const wm = new Date(now - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const lo = new Date(now - 15 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const before = await soql(
      `SELECT Id FROM Contact WHERE SystemModstamp >= ${lo} AND SystemModstamp < ${wm}`,
    );
    const created = await admin("records/Contact", { fields: { LastName: "Late" }, at: now - 10 * 60_000 });
    const after = await soql(
      `SELECT Id FROM Contact WHERE SystemModstamp >= ${lo} AND SystemModstamp < ${wm}`,
    );
    expect(after.body.totalSize).toBe(before.body.totalSize + 1);
    expect(after.body.records.map((r: { Id: string }) => r.Id)).toContain(created.body.id);
  });

  it("keeps a locator's snapshot while the mid-read-changes knob moves records", async () => {
    await admin("knobs", { midReadChanges: 50 });
    const p1 = await soql("SELECT Id FROM Account ORDER BY SystemModstamp, Id");
    const total = p1.body.totalSize;
    expect(total).toBeGreaterThan(200);
    const small = await call(
      `${V}/query?q=${encodeURIComponent("SELECT Id FROM Contact ORDER BY SystemModstamp, Id")}`,
      { headers: { "sforce-query-options": "batchSize=200" } },
    );
    expect(small.body.records).toHaveLength(200);
    let page = small.body;
    const ids = [...page.records.map((r: { Id: string }) => r.Id)];
    while (!page.done) {
      page = (await call(page.nextRecordsUrl)).body;
      ids.push(...page.records.map((r: { Id: string }) => r.Id));
    }
    expect(ids).toHaveLength(small.body.totalSize);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("runs Bulk API 2.0 query jobs with Sforce-Locator paging", async () => {
    const created = await call(`${V}/jobs/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "query", query: "SELECT Id, Name FROM Account" }),
    });
    expect(created.body).toMatchObject({
      operation: "query",
      object: "Account",
      state: "UploadComplete",
      contentType: "CSV",
    });
    await waitFor(
      async () => (await call(`${V}/jobs/query/${created.body.id}`)).body.state === "JobComplete",
      { what: "the bulk query job to complete" },
    );
    const expected = (await soql("SELECT COUNT() FROM Account")).body.totalSize;
    let locator: string | null = "";
    const rows: string[] = [];
    let calls = 0;
    while (locator !== "null") {
      const r = await call(
        `${V}/jobs/query/${created.body.id}/results?maxRecords=150${locator ? `&locator=${locator}` : ""}`,
      );
      const lines = (r.body as string).trim().split("\n");
      expect(lines[0]).toBe('"Id","Name"');
      expect(Number(r.headers.get("sforce-numberofrecords"))).toBe(lines.length - 1);
      rows.push(...lines.slice(1));
      locator = r.headers.get("sforce-locator");
      calls++;
    }
    expect(rows).toHaveLength(expected);
    expect(calls).toBe(Math.ceil(expected / 150));
  });

  it("enforces the rolling daily allocation with 403 REQUEST_LIMIT_EXCEEDED and counts violations", async () => {
    await admin("limits/reset");
    await admin("knobs", { rateLimitScale: 0.0005 }); // 10,000 × 0.0005 = 5 calls per 24 h
    for (let i = 0; i < 5; i++) expect((await call(`${V}/limits`)).status).toBe(200);
    const r = await call(`${V}/limits`);
    expect(r.status).toBe(403);
    expect(r.body).toEqual([
      { message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
    ]);
    expect(r.headers.get("sforce-limit-info")).toBe("api-usage=5/5");
    await call(`${V}/limits`);
    expect((await admin("limits", undefined, "GET")).body).toMatchObject({ rejected: 2, violations: 3 });
    await admin("clock", { advanceMs: 86_400_000 });
    // A day later the allocation has rolled over, and the idle session has expired (2 h default).
    expect((await call(`${V}/limits`)).status).toBe(401);
    token = (
      await form({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: sf.credentials.clientId,
      })
    ).body.access_token;
    expect((await call(`${V}/limits`)).status).toBe(200);
  });
});
