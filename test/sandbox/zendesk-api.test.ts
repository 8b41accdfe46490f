import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZendeskSandbox, type ZendeskSandbox } from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import { sandboxAdminCall } from "../helpers/sandbox-admin-call.ts";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
let sb: ZendeskSandbox;
let tokenAuth: string;
type Page = Record<string, unknown> & { users?: Item[]; tickets?: Item[] };
type Item = Record<string, unknown> & { id: number };

beforeAll(async () => {
  // A large scale factor keeps the 10/min export limit out of the way except where a test sets it back.
  sb = await startZendeskSandbox({
    seed: 8,
    people: 300,
    clock: { start: START, speed: 0 },
    knobs: { rateLimitScale: 1000 },
  });
  tokenAuth = `Basic ${Buffer.from(`${sb.credentials.email}/token:${sb.credentials.apiToken}`).toString("base64")}`;
});
afterAll(() => sb.close());

async function get(path: string, authorization: string | null = tokenAuth) {
  const res = await fetch(new URL(path, sb.url), { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, headers: res.headers, body: (isJson ? JSON.parse(text) : text) as Page };
}
const admin = (method: string, path: string, body?: unknown) => sandboxAdminCall(sb.url, method, path, body);
async function oauth(body: Record<string, unknown>) {
  const res = await fetch(`${sb.url}/oauth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
      ...body,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const nowS = async () => Math.floor(Number((await admin("GET", "clock")).now) / 1000);

/** Walks a cursor export from `first` until end_of_stream; returns the items and the final cursor. */
async function walkCursor(resource: "users" | "tickets", first: string) {
  const items: Item[] = [];
  let url = first;
  let pages = 0;
  for (;;) {
    const page = await get(url);
    expect(page.status).toBe(200);
    items.push(...(page.body[resource] as Item[]));
    pages++;
    if (page.body.end_of_stream === true) return { items, cursor: String(page.body.after_cursor), pages };
    url = String(page.body.after_url);
  }
}

describe("Zendesk auth", () => {
  it("accepts the API token and rejects wrong credentials with Couldn't authenticate you", async () => {
    expect((await get("/api/v2/users/me.json")).status).toBe(200);
    const bad = `Basic ${Buffer.from(`${sb.credentials.email}/token:nope`).toString("base64")}`;
    for (const h of [bad, null, "Bearer nope"]) {
      const r = await get("/api/v2/users/me.json", h);
      expect(r).toMatchObject({ status: 401, body: { error: "Couldn't authenticate you" } });
    }
    expect((await get("/api/v2/users/me.json", `Bearer ${sb.credentials.accessToken}`)).status).toBe(200);
  });

  it("expires OAuth tokens issued with expires_in, and a refresh rotates the pair", async () => {
    const t = await oauth({ grant_type: "client_credentials", scope: "read", expires_in: 300 });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: "bearer", scope: "read", expires_in: 300 });
    const bearer = `Bearer ${String(t.body.access_token)}`;
    expect((await get("/api/v2/users/me.json", bearer)).status).toBe(200);
    await admin("POST", "clock", { advanceMs: 300_000 });
    const expired = await get("/api/v2/users/me.json", bearer);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      error: "invalid_token",
      error_description:
        "The access token provided is expired, revoked, malformed or invalid for other reasons.",
    });
    const r = await oauth({
      grant_type: "refresh_token",
      refresh_token: t.body.refresh_token,
      expires_in: 300,
    });
    expect(r.status).toBe(200);
    expect((await get("/api/v2/users/me.json", `Bearer ${String(r.body.access_token)}`)).status).toBe(200);
    const reused = await oauth({ grant_type: "refresh_token", refresh_token: t.body.refresh_token });
    expect(reused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await oauth({ grant_type: "client_credentials", client_secret: "x" })).status).toBe(400);
  });
});

describe("Zendesk cursor-based exports", () => {
  it("streams every user once in (updated_at, id) order and resumes from the final cursor", async () => {
    const { items, cursor, pages } = await walkCursor(
      "users",
      "/api/v2/incremental/users/cursor.json?start_time=0&per_page=25",
    );
    const truth = (await admin("GET", "truth/users?limit=10000")) as { records: Array<{ id: string }> };
    expect(pages).toBe(Math.ceil(truth.records.length / 25) + (truth.records.length % 25 === 0 ? 1 : 0));
    expect(items.map((u) => u.id).sort()).toEqual(truth.records.map((r) => Number(r.id)).sort());
    const keys = items.map((u) => [Date.parse(String(u.updated_at)), u.id] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(keys).toEqual(sorted);

    // A change now is held back for a minute, then the saved cursor yields exactly it.
    await admin("PATCH", `records/users/${items[5]!.id}`, { fields: { notes: "fresh" } });
    const held = await get(`/api/v2/incremental/users/cursor.json?cursor=${cursor}`);
    expect(held.body.users).toEqual([]);
    expect(held.body.end_of_stream).toBe(true);
    await admin("POST", "clock", { advanceMs: 61_000 });
    const later = await walkCursor("users", `/api/v2/incremental/users/cursor.json?cursor=${cursor}`);
    expect(later.items.map((u) => [u.id, u.notes])).toEqual([[items[5]!.id, "fresh"]]);
  });

  it("carries an equal-timestamp burst larger than a page across pages without loss", async () => {
    const at = (await nowS()) * 1000 - 600_000;
    await admin("POST", "burst", { object: "tickets", size: 70, at });
    const { items } = await walkCursor(
      "tickets",
      `/api/v2/incremental/tickets/cursor.json?start_time=${at / 1000}&per_page=20`,
    );
    const burst = items.filter((t) => t.generated_timestamp === at / 1000);
    expect(burst.length).toBeGreaterThan(50);
    expect(new Set(items.map((t) => t.id)).size).toBe(items.length);
  });

  it("rejects a start_time inside the last minute and an unknown cursor", async () => {
    const recent = await get(`/api/v2/incremental/users/cursor.json?start_time=${(await nowS()) - 30}`);
    expect(recent).toMatchObject({ status: 400, body: { error: "InvalidValue" } });
    expect((await get("/api/v2/incremental/users/cursor.json?cursor=bm9wZQ")).status).toBe(400);
  });
});

describe("Zendesk time-based exports", () => {
  it("repeats the boundary second, ends with end_of_stream, and dedupes to the truth", async () => {
    const seen = new Map<number, number>();
    let fetched = 0;
    let url = "/api/v2/incremental/tickets.json?start_time=0&per_page=100";
    for (let i = 0; i < 50; i++) {
      const page = await get(url);
      const tickets = page.body.tickets as Item[];
      expect(page.body.count).toBe(tickets.length);
      fetched += tickets.length;
      for (const t of tickets) seen.set(t.id, Number(t.generated_timestamp));
      if (page.body.end_of_stream) break;
      expect(String(page.body.next_page)).toContain(`start_time=${String(page.body.end_time)}`);
      url = String(page.body.next_page);
    }
    const truth = (await admin("GET", "truth/tickets?limit=10000")) as { records: Array<{ id: string }> };
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(
      truth.records.map((r) => Number(r.id)).sort((a, b) => a - b),
    );
    expect(fetched).toBeGreaterThan(seen.size);
  });

  it("does not advance end_time when a page is full of one second", async () => {
    const at = (await nowS()) * 1000 - 300_000;
    await admin("POST", "burst", { object: "users", size: 60, at });
    const page = await get(`/api/v2/incremental/users.json?start_time=${at / 1000}&per_page=10`);
    expect(page.body).toMatchObject({ count: 10, end_time: at / 1000, end_of_stream: false });
  });

  it("returns deleted tickets with status deleted unless exclude_deleted=true", async () => {
    await admin("DELETE", "records/tickets/3");
    await admin("POST", "clock", { advanceMs: 61_000 });
    const start = (await nowS()) - 120;
    const all = await get(`/api/v2/incremental/tickets.json?start_time=${start}`);
    expect((all.body.tickets as Item[]).find((t) => t.id === 3)?.status).toBe("deleted");
    const live = await get(`/api/v2/incremental/tickets.json?start_time=${start}&exclude_deleted=true`);
    expect((live.body.tickets as Item[]).some((t) => t.id === 3)).toBe(false);
  });
});

describe("Zendesk limits", () => {
  it("allows 10 export requests a minute, then 429 text/plain with Retry-After", async () => {
    await admin("POST", "knobs", { rateLimitScale: 1 });
    await admin("POST", "limits/reset", {});
    try {
      const path = `/api/v2/incremental/users/cursor.json?start_time=${(await nowS()) - 3600}`;
      for (let i = 0; i < 10; i++) expect((await get(path)).status).toBe(200);
      const r = await get(path);
      expect(r.status).toBe(429);
      expect(r.headers.get("content-type")).toContain("text/plain");
      expect(r.body).toBe("Number of allowed API requests per minute exceeded");
      const wait = Number(r.headers.get("retry-after"));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      // Non-export endpoints are not held by the export limit.
      expect((await get("/api/v2/users/me.json")).status).toBe(200);
      await admin("POST", "clock", { advanceMs: wait * 1000 });
      expect((await get(path)).status).toBe(200);
      expect(Number((await get("/api/v2/users/me.json")).headers.get("x-rate-limit"))).toBe(700);
    } finally {
      await admin("POST", "knobs", { rateLimitScale: 1000 });
    }
  });

  it("injects 503s and expires bearer tokens through the error-rate knob", async () => {
    await admin("POST", "knobs", { errorRate: { transient: 1 } });
    try {
      expect((await get("/api/v2/users/me.json")).status).toBe(503);
      await admin("POST", "knobs", { errorRate: { transient: 0, authExpiry: 1 } });
      const t = await oauth({ grant_type: "client_credentials" });
      const r = await get("/api/v2/users/me.json", `Bearer ${String(t.body.access_token)}`);
      expect(r).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    } finally {
      await admin("POST", "knobs", { errorRate: { transient: 0, authExpiry: 0 } });
    }
  });
});

describe("Zendesk users list", () => {
  it("pages with page[size] and links.next until has_more is false", async () => {
    const ids: number[] = [];
    let url: string | null = "/api/v2/users.json?page[size]=40";
    while (url) {
      const page = await get(url);
      ids.push(...(page.body.users as Item[]).map((u) => u.id));
      const meta = page.body.meta as { has_more: boolean };
      url = (page.body.links as { next: string | null }).next;
      expect(url === null).toBe(!meta.has_more);
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(120);
  });
});
