import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { openSalesforce } from "../../../src/connectors/salesforce/index.ts";
import { FakeTimer } from "../../../src/connectors/sdk/index.ts";
import { reply, ScriptServer } from "../sdk/script-server.ts";
import { connect, readAll, refreshCredentials, sandbox } from "./harness.ts";

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

describe("Salesforce connection test (sandbox)", () => {
  it("says Connected for refresh token, client credentials and JWT bearer", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const c = sb.credentials;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    for (const credentials of [
      refreshCredentials(sb),
      { kind: "oauth_client_credentials" as const, clientId: c.clientId, clientSecret: c.clientSecret },
      { kind: "oauth_jwt" as const, clientId: c.clientId, username: c.username, privateKeyPem: pem },
    ]) {
      const { connector } = connect(sb, {}, {}, credentials);
      closers.push(connector);
      expect(await connector.testConnection(), credentials.kind).toEqual({ status: "Connected" });
    }
    const wrongUser = connect(
      sb,
      {},
      {},
      { kind: "oauth_jwt", clientId: c.clientId, username: "x@y.z", privateKeyPem: pem },
    );
    closers.push(wrongUser.connector);
    expect(await wrongUser.connector.testConnection()).toMatchObject({ status: "Failed", class: "auth" });
  });

  it("persists a rotated refresh token and names a revoked one", async () => {
    const sb = await sandbox(50, { rotateRefreshTokens: true });
    closers.push(sb);
    const rotated: string[] = [];
    const first = connect(sb, {}, { onRefreshToken: (t) => void rotated.push(t) });
    closers.push(first.connector);
    expect(await first.connector.testConnection()).toEqual({ status: "Connected" });
    expect(rotated).toHaveLength(1);
    // The original token died with the rotation; the persisted one works.
    const stale = connect(sb);
    const fresh = connect(sb, {}, {}, refreshCredentials(sb, rotated[0]));
    closers.push(stale.connector, fresh.connector);
    expect(await stale.connector.testConnection()).toMatchObject({
      status: "Failed",
      class: "auth",
      reason: expect.stringMatching(/^refresh token revoked or expired \(.*invalid_grant/),
    });
    expect(await fresh.connector.testConnection()).toEqual({ status: "Connected" });
  });

  it("lists the four objects and describes one with its fields", async () => {
    const sb = await sandbox(50);
    closers.push(sb);
    const { connector } = connect(sb);
    closers.push(connector);
    expect((await connector.listObjects()).map((o) => o.name)).toEqual([
      "Account",
      "Contact",
      "Asset",
      "Case",
    ]);
    const contact = await connector.describeObject("Contact");
    expect(contact.fields!.map((f) => f.name)).toEqual(
      expect.arrayContaining(["Id", "Email", "SystemModstamp"]),
    );
    await expect(connector.describeObject("Opportunity")).rejects.toMatchObject({ class: "config" });
  });
});

describe("Salesforce against scripted answers", () => {
  const field = (name: string, type = "string") => ({ name, type, label: name });
  const base = ["Id", "SystemModstamp", "IsDeleted"].map((n) => field(n));
  const describeOf = (...names: string[]) =>
    reply(200, { queryable: true, fields: [...base, ...names.map((n) => field(n))] });

  async function scripted(instanceUrl?: string) {
    const login = await new ScriptServer().start();
    closers.push({ close: () => login.stop() });
    login.script(
      "/services/oauth2/token",
      reply(200, { access_token: "00D!tok", instance_url: instanceUrl ?? login.url }),
    );
    const connector = openSalesforce(
      {
        instanceUrl: login.url,
        credentials: { kind: "oauth_refresh", clientId: "c", clientSecret: "s", refreshToken: "r" },
      },
      { timer: new FakeTimer(Date.UTC(2025, 0, 10)) },
    );
    closers.push(connector);
    return { login, connector };
  }

  it("names a field the user cannot read", async () => {
    const { login, connector } = await scripted();
    login.script("/services/data/v62.0/limits", reply(200, {}));
    login.script("/services/data/v62.0/sobjects/Account/describe", describeOf("Name"));
    login.script(
      "/services/data/v62.0/sobjects/Contact/describe",
      describeOf("FirstName", "LastName", "AccountId"),
    );
    expect(await connector.testConnection()).toEqual({
      status: "Failed",
      class: "config",
      reason: "user lacks read access to Contact.Email",
    });
  });

  it("says instance not found when the instance has no REST API", async () => {
    const { login, connector } = await scripted();
    login.otherwise((_q, s) => {
      s.writeHead(404, { "content-type": "text/html" });
      s.end("<html>Not Found</html>");
    });
    expect(await connector.testConnection()).toMatchObject({
      status: "Failed",
      class: "config",
      reason: expect.stringMatching(/^instance not found/),
    });
  });

  it("reads from the instance the token response names, not the login host", async () => {
    const sb = await sandbox(100);
    closers.push(sb);
    const login = await new ScriptServer().start();
    closers.push({ close: () => login.stop() });
    login.script(
      "/services/oauth2/token",
      reply(200, { access_token: sb.credentials.accessToken, instance_url: sb.url }),
    );
    const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
    const connector = openSalesforce(
      {
        instanceUrl: login.url,
        credentials: { kind: "oauth_refresh", clientId: "c", clientSecret: "s", refreshToken: "r" },
      },
      { timer },
    );
    closers.push(connector);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const pages = await readAll(connector, { object: "Account", window });
    expect(pages.flatMap((p) => p.records).length).toBeGreaterThan(5);
    expect(login.received.map((r) => r.url)).toEqual(["/services/oauth2/token"]);
  });
});

describe("Salesforce purge feed (scripted)", () => {
  it("turns ids deleted in the window but no longer visible to queryAll into DeleteEvents", async () => {
    const login = await new ScriptServer().start();
    closers.push({ close: () => login.stop() });
    const now = Date.now(); // the script server's Date header is the wall clock
    const from = now - 2 * 86_400_000;
    const to = now - 86_400_000;
    const at = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");
    login.script("/services/oauth2/token", reply(200, { access_token: "t", instance_url: login.url }));
    login.script(
      "/services/data/v62.0/sobjects/Contact/describe",
      reply(200, { fields: ["Id", "SystemModstamp", "IsDeleted"].map((name) => ({ name, type: "string" })) }),
    );
    login.script(
      "/services/data/v62.0/queryAll",
      reply(200, { totalSize: 0, done: true, records: [] }),
      reply(200, { totalSize: 1, done: true, records: [{ Id: "003Sb00000000B1AAA" }] }),
    );
    login.script(
      "/services/data/v62.0/sobjects/Contact/deleted/",
      reply(200, {
        deletedRecords: [
          { id: "003Sb00000000B1AAA", deletedDate: at(from + 1000) }, // still in the Recycle Bin
          { id: "003Sb00000000A1AAA", deletedDate: at(from + 2000) }, // purged
          { id: "003Sb00000000C1AAA", deletedDate: at(to + 5000) }, // after the window
        ],
        earliestDateAvailable: at(from - 86_400_000),
        latestDateCovered: at(to),
      }),
    );
    const connector = openSalesforce(
      {
        instanceUrl: login.url,
        credentials: { kind: "oauth_refresh", clientId: "c", clientSecret: "s", refreshToken: "r" },
      },
      { timer: new FakeTimer(Date.UTC(2025, 0, 10)) },
    );
    closers.push(connector);
    const pages = await readAll(connector, { object: "Contact", window: { from, to } });
    expect(pages.flatMap((p) => p.deletions.map((d) => [d.id, d.deletedAt]))).toEqual([
      ["003Sb00000000A1AAA", from + 2000],
    ]);
    const inQuery = new URL(login.hits("/services/data/v62.0/queryAll")[1]!.url, login.url).searchParams.get(
      "q",
    );
    expect(inQuery).toBe("SELECT Id FROM Contact WHERE Id IN ('003Sb00000000B1AAA', '003Sb00000000A1AAA')");
  });
});
