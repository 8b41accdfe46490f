import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  basicAuth,
  type ConnectorOptions,
  type ConnectorProfileConfig,
  type ConnectorSpec,
  defineConnector,
  FakeTimer,
  OAuthTokenSource,
  openVendorHttp,
  type VendorHttp,
} from "../../../src/connectors/sdk/index.ts";
import { failure } from "./connector-failure.ts";
import { reply, ScriptServer } from "./script-server.ts";

let server: ScriptServer;
let timer: FakeTimer;
const opened: VendorHttp<{ headers(): Promise<Record<string, string>> }>[] = [];

beforeEach(async () => {
  timer = new FakeTimer();
  server = await new ScriptServer().start();
  server.stamp = () => timer.now();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((v) => v.close()));
  await server.stop();
});

function spec(o: Partial<ConnectorSpec> = {}): ConnectorSpec {
  return defineConnector({
    id: "acme",
    displayName: "Acme",
    authKinds: ["basic", "oauth_client_credentials"],
    baseUrl: "{instanceUrl}/api/v9",
    objects: {},
    errors: [{ status: 418, class: "rate_limited", reason: "the teapot is busy" }],
    open: () => {
      throw new Error("not used");
    },
    ...o,
  });
}

const basic: ConnectorProfileConfig["credentials"] = { kind: "basic", username: "u", password: "p" };

function open(s: ConnectorSpec, options: ConnectorOptions = {}, credentials = basic) {
  const profile = { instanceUrl: server.url, credentials };
  const v = openVendorHttp(s, profile, { timer, random: () => 1, ...options }, (t) => ({
    auth: (tokenHttp) =>
      credentials.kind === "basic"
        ? basicAuth("u", "p")
        : new OAuthTokenSource({
            http: tokenHttp,
            tokenPath: "/token",
            timer: t,
            initialGrant: () => ({ grant_type: "client_credentials" }),
          }),
  }));
  opened.push(v);
  return v;
}

describe("openVendorHttp builds a connector's clients from its spec", () => {
  it("fills the base URL template with the instance URL and names the connector in the user agent", async () => {
    server.otherwise(reply(200, {}));
    await open(spec()).http.request({ path: "objects" });
    expect(server.received[0]!.url).toBe("/api/v9/objects");
    expect(server.received[0]!.headers["user-agent"]).toBe("profileflow-acme");
  });

  it("refuses credentials of a kind the spec does not list, before any request", () => {
    const bearer = { kind: "bearer", accessToken: "t" } as const;
    expect(() => open(spec(), {}, bearer)).toThrow(/Acme does not accept bearer credentials/);
    expect(server.received).toHaveLength(0);
  });

  it("classifies with the spec's error table before the HTTP defaults", async () => {
    server.script("/api/v9/t", reply(418, {}), reply(200, { ok: 1 }));
    const res = await open(spec()).http.request({ path: "t" });
    expect(res.body).toEqual({ ok: 1 });
    expect(timer.sleeps).toEqual([1000]); // rate_limited: waited, then retried
  });

  it("retries as the spec says, and as the caller says when the caller says so", async () => {
    server.otherwise(reply(500, {}));
    await failure(open(spec({ retry: { maxAttempts: 2 } })).http.request({ path: "t" }));
    expect(server.received).toHaveLength(2);
    await failure(
      open(spec({ retry: { maxAttempts: 2 } }), { retry: { maxAttempts: 3 } }).http.request({ path: "t" }),
    );
    expect(server.received).toHaveLength(5);
  });

  it("paces the API at the spec's rate when the caller passes no budget", async () => {
    server.otherwise(reply(200, {}));
    const { http } = open(spec({ pacing: { requestsPerSecond: 0.5 } }));
    for (let i = 0; i < 3; i++) await http.request({ path: "t" });
    expect(timer.sleeps).toEqual([2000, 2000]);
  });

  it("meters the token endpoint with the caller's budget only when the spec says it counts", async () => {
    server.script("/token", reply(200, { access_token: "A" }), reply(200, { access_token: "B" }));
    server.otherwise(reply(200, {}));
    const oauth = { kind: "oauth_client_credentials", clientId: "c", clientSecret: "s" } as const;
    for (const meterTokenEndpoint of [false, true]) {
      let acquired = 0;
      const rateBudget = { acquire: async () => void acquired++ };
      await open(spec({ pacing: { meterTokenEndpoint } }), { rateBudget }, oauth).http.request({ path: "t" });
      expect(acquired).toBe(meterTokenEndpoint ? 2 : 1);
    }
  });
});
