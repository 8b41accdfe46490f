import { afterEach, describe, expect, it } from "vitest";
import { FakeTimer } from "../../../src/connectors/sdk/index.ts";
import { openServiceNow } from "../../../src/connectors/servicenow/index.ts";
import { reply, ScriptServer } from "../sdk/script-server.ts";
import { connect, readAll, sandbox } from "./harness.ts";

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

describe("ServiceNow connection test and describe (sandbox)", () => {
  it("says Connected for good Basic and OAuth credentials", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    for (const kind of ["basic", "oauth_password"] as const) {
      const { connector } = connect(sb, kind);
      closers.push(connector);
      expect(await connector.testConnection()).toEqual({ status: "Connected" });
    }
  });

  it("names the reason when credentials are wrong", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const timer = new FakeTimer();
    const basic = openServiceNow(
      {
        instanceUrl: sb.url,
        credentials: { kind: "basic", username: sb.credentials.username, password: "nope" },
      },
      { timer },
    );
    const oauth = openServiceNow(
      {
        instanceUrl: sb.url,
        credentials: {
          kind: "oauth_password",
          username: sb.credentials.username,
          password: sb.credentials.password,
          clientId: sb.credentials.clientId,
          clientSecret: "wrong",
        },
      },
      { timer },
    );
    closers.push(basic, oauth);
    expect(await basic.testConnection()).toMatchObject({ status: "Failed", class: "auth" });
    expect(await oauth.testConnection()).toMatchObject({
      status: "Failed",
      class: "auth",
      reason: expect.stringMatching(/^username, password or assertion rejected/),
    });
  });

  it("lists the objects and describes one with its fields", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const { connector } = connect(sb);
    closers.push(connector);
    expect((await connector.listObjects()).map((o) => o.name)).toEqual(["sys_user", "task", "incident"]);
    const incident = await connector.describeObject("incident");
    const names = incident.fields!.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(["sys_id", "sys_updated_on", "caller_id", "number", "close_code"]),
    );
    await expect(connector.describeObject("cmdb_ci")).rejects.toMatchObject({ class: "config" });
  });
});

describe("ServiceNow against scripted answers", () => {
  async function scripted() {
    const server = await new ScriptServer().start();
    closers.push({ close: () => server.stop() });
    const connector = openServiceNow(
      { instanceUrl: server.url, credentials: { kind: "basic", username: "u", password: "p" } },
      { timer: new FakeTimer(Date.UTC(2025, 0, 10)) },
    );
    closers.push(connector);
    return { server, connector };
  }
  const row = (id: string, at: string) => ({ sys_id: id, sys_updated_on: at });
  const next = { link: '<http://x/api/now/v2/table/sys_user?sysparm_offset=2>;rel="next"' };
  const last = { link: '<http://x/api/now/v2/table/sys_user?sysparm_offset=0>;rel="first"' };

  it("steps over a page that ACLs emptied while Link says more rows follow", async () => {
    const { server, connector } = await scripted();
    server.script(
      "/api/now/v2/table/sys_user",
      reply(200, { result: [row("a1", "2025-01-01 00:00:00"), row("a2", "2025-01-01 00:00:01")] }, next),
      reply(200, { result: [] }, next), // limit applied before ACLs: nothing visible, but not the end
      reply(200, { result: [row("a3", "2025-01-01 00:00:05")] }, last),
    );
    server.script("/api/now/v2/table/sys_audit_delete", reply(200, { result: [] }, last));
    const window = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) };
    const pages = await readAll(connector, { object: "sys_user", window, pageSize: 2 });
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(["a1", "a2", "a3"]);
    const q = server.hits("/api/now/v2/table/sys_user").map((r) => new URL(r.url, server.url).searchParams);
    expect(q[1]!.get("sysparm_query")).toBe(q[2]!.get("sysparm_query"));
    expect(q[1]!.get("sysparm_offset")).toBeNull();
    expect(q[2]!.get("sysparm_offset")).toBe("2");
    expect(q[1]!.get("sysparm_query")).toContain("sys_updated_on=2025-01-01 00:00:01^sys_id>a2^NQ");
  });

  it("hands a row without a usable timestamp on as a rejected record and goes on", async () => {
    const { server, connector } = await scripted();
    server.script(
      "/api/now/v2/table/sys_user",
      reply(200, { result: [row("b1", "2025-01-01 00:00:00"), { sys_id: "b2", sys_updated_on: 7 }] }, last),
    );
    server.script("/api/now/v2/table/sys_audit_delete", reply(200, { result: [] }, last));
    const pages = await readAll(connector, {
      object: "sys_user",
      window: { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) },
    });
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(["b1"]);
    const rejected = pages.flatMap((p) => p.rejected);
    expect(rejected.map((r) => [r.id, r.error.class])).toEqual([["b2", "record"]]);
  });

  it("stops with class config when the instance ignores the window (rows outside it)", async () => {
    const { server, connector } = await scripted();
    server.script(
      "/api/now/v2/table/sys_user",
      reply(200, { result: [row("c1", "2024-06-01 00:00:00")] }, last),
    );
    await expect(
      readAll(connector, {
        object: "sys_user",
        window: { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) },
      }),
    ).rejects.toMatchObject({ class: "config" });
  });

  it("names missing read access and a URL that is not an instance", async () => {
    const { server, connector } = await scripted();
    server.script("/api/now/v2/table/sys_user", reply(200, { result: [] }));
    server.script("/api/now/v2/table/task", reply(200, { result: [] }));
    server.script(
      "/api/now/v2/table/incident",
      reply(403, { error: { message: "Operation Failed", detail: "ACL Exception" }, status: "failure" }),
    );
    expect(await connector.testConnection()).toMatchObject({
      status: "Failed",
      class: "config",
      reason: expect.stringMatching(/^user lacks read access to table incident/),
    });
    const other = await scripted();
    other.server.otherwise((_q, s) => {
      s.writeHead(404, { "content-type": "text/html" });
      s.end("<html>Not Found</html>");
    });
    expect(await other.connector.testConnection()).toMatchObject({
      status: "Failed",
      class: "config",
      reason: expect.stringMatching(/^instance not found/),
    });
  });
});
