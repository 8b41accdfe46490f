import { afterEach, describe, expect, it } from "vitest";
import { FakeTimer } from "../../../src/connectors/sdk/index.ts";
import { openZendesk } from "../../../src/connectors/zendesk/index.ts";
import { reply, ScriptServer } from "../sdk/script-server.ts";
import { connect, credentialsOf, readAll, sandbox } from "./harness.ts";

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

describe("Zendesk connection test and describe (sandbox)", () => {
  it("says Connected for API-token, bearer and OAuth refresh-token credentials", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    for (const kind of ["api_token", "bearer", "oauth_refresh"] as const) {
      const { connector } = connect(sb, credentialsOf(sb, kind));
      closers.push(connector);
      expect(await connector.testConnection(), kind).toEqual({ status: "Connected" });
    }
  });

  it("names the reason when credentials are refused, and reads fail with class auth", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const c = sb.credentials;
    const token = connect(sb, { kind: "api_token", email: c.email, token: "wrong" }).connector;
    const revoked = connect(sb, {
      kind: "oauth_refresh",
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      refreshToken: "revoked",
    }).connector;
    closers.push(token, revoked);
    expect(await token.testConnection()).toMatchObject({
      status: "Failed",
      class: "auth",
      reason: expect.stringMatching(/^email, API token or OAuth token rejected/),
    });
    expect(await revoked.testConnection()).toMatchObject({
      status: "Failed",
      class: "auth",
      reason: expect.stringMatching(/^refresh token revoked or expired/),
    });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    await expect(readAll(token, { object: "users", window })).rejects.toMatchObject({ class: "auth" });
  });

  it("lists users and tickets, describes them, and refuses unknown objects as config", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const { connector } = connect(sb);
    closers.push(connector);
    expect((await connector.listObjects()).map((o) => [o.name, o.cursorField])).toEqual([
      ["users", "updated_at"],
      ["tickets", "generated_timestamp"],
    ]);
    const tickets = await connector.describeObject("tickets");
    expect(tickets.fields!.map((f) => f.name)).toEqual(
      expect.arrayContaining(["id", "status", "requester_id", "generated_timestamp"]),
    );
    await expect(connector.describeObject("organizations")).rejects.toMatchObject({ class: "config" });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    await expect(readAll(connector, { object: "organizations", window })).rejects.toMatchObject({
      class: "config",
    });
  });
});

describe("Zendesk against scripted answers", () => {
  async function scripted() {
    const server = await new ScriptServer().start();
    closers.push({ close: () => server.stop() });
    const connector = openZendesk(
      { instanceUrl: server.url, credentials: { kind: "api_token", email: "a@b.c", token: "t" } },
      { timer: new FakeTimer(Date.UTC(2025, 0, 10)) },
    );
    closers.push(connector);
    return { server, connector };
  }
  const user = (id: number, at: string) => ({ id, updated_at: at, active: true });
  const page = (users: unknown[], cursor: string, end: boolean) =>
    reply(200, { users, after_cursor: cursor, after_url: null, end_of_stream: end });

  it("does not stop on an empty page with end_of_stream false, and follows after_cursor", async () => {
    const { server, connector } = await scripted();
    server.script(
      "/api/v2/incremental/users/cursor.json",
      page([user(1, "2025-01-01T00:00:00Z")], "c1", false),
      page([], "c2", false),
      page([user(2, "2025-01-01T00:00:05Z")], "c3", true),
    );
    const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) };
    const pages = await readAll(connector, { object: "users", window });
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(["1", "2"]);
    const urls = server.hits("/api/v2/incremental/users/cursor.json").map((r) => new URL(r.url, server.url));
    expect(urls[0]!.searchParams.get("start_time")).toBe(String(Date.UTC(2025, 0, 1) / 1000));
    expect(urls.slice(1).map((u) => u.searchParams.get("cursor"))).toEqual(["c1", "c2"]);
    expect(pages.at(-1)!.checkpoint["cursor"]).toBe("c3");
  });

  it("stops at the first item past the window and rejects items without a usable timestamp", async () => {
    const { server, connector } = await scripted();
    server.script(
      "/api/v2/incremental/users/cursor.json",
      page(
        [user(1, "2025-01-01T00:00:00Z"), { id: 9, updated_at: "garbage" }, user(2, "2025-01-03T00:00:00Z")],
        "c1",
        false,
      ),
    );
    const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) };
    const pages = await readAll(connector, { object: "users", window });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.done).toBe(true);
    expect(pages[0]!.records.map((r) => r.id)).toEqual(["1"]);
    expect(pages[0]!.rejected.map((r) => [r.id, r.error.class])).toEqual([["9", "record"]]);
  });

  it("says a non-admin user cannot read incremental exports", async () => {
    const { server, connector } = await scripted();
    server.script("/api/v2/users/me.json", reply(200, { user: { id: 5, email: "agent@x", role: "agent" } }));
    expect(await connector.testConnection()).toMatchObject({
      status: "Failed",
      class: "config",
      reason: expect.stringMatching(/not admin/),
    });
  });
});
