import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxWorld } from "../../src/sandbox/core/index.ts";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { restoreKnobsAfterEach } from "../helpers/sandbox-knobs.ts";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);

describe("the failNext knob", () => {
  let world: SandboxWorld;
  let sn: ServiceNowSandbox;
  let mk: MarketoSandbox;
  let basic: string;

  beforeAll(async () => {
    world = new SandboxWorld({ seed: 5, people: 50, clock: { start: START, speed: 0 } });
    sn = await startServiceNowSandbox({ world });
    mk = await startMarketoSandbox({ world });
    basic = `Basic ${Buffer.from(`${sn.credentials.username}:${sn.credentials.password}`).toString("base64")}`;
  });
  afterAll(async () => {
    await sn?.close();
    await mk?.close();
  });
  // The knobs are the world's (every simulator shares them): put back after each test, pass or fail.
  restoreKnobsAfterEach(() => sn.url);

  const knobs = async (patch?: unknown) => {
    const res = await fetch(`${sn.url}/__sandbox/knobs`, {
      method: patch === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(patch === undefined ? {} : { body: JSON.stringify(patch) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const table = async (name: string, query = "", auth = basic) =>
    (
      await fetch(`${sn.url}/api/now/table/${name}?sysparm_limit=1${query}`, {
        headers: { authorization: auth, accept: "application/json" },
      })
    ).status;

  it("is off by default", async () => {
    expect((await knobs()).body.failNext).toEqual({
      count: 0,
      status: 0,
      pathContains: "",
      bodyContains: "",
    });
    expect(await table("sys_user")).toBe(200);
  });

  it("fails exactly the next matching requests with the vendor's transient error, then stops", async () => {
    await knobs({ failNext: { count: 2, pathContains: "sys_updated_on>=2024-03-01 00:00:00" } });
    expect(await table("sys_user")).toBe(200); // no match: not spent
    expect(await table("sys_user", "", "Basic bm9wZTpub3Bl")).toBe(401); // refused before the fault point: not spent
    expect((await knobs()).body.failNext.count).toBe(2);
    const q = `&sysparm_query=${encodeURIComponent("sys_updated_on>=2024-03-01 00:00:00^ORDERBYsys_id")}`;
    expect(await table("sys_user", q)).toBe(500);
    expect(await table("sys_user", q)).toBe(500);
    expect(await table("sys_user", q)).toBe(200);
    expect((await knobs()).body.failNext.count).toBe(0);
  });

  it("answers a bare status from the shared server when one is given, for every simulator", async () => {
    await knobs({
      failNext: { count: 1, status: 502, pathContains: "/identity/oauth/token", bodyContains: "" },
    });
    const token = await fetch(`${mk.url}/identity/oauth/token?grant_type=client_credentials`);
    expect(token.status).toBe(502);
    expect(await token.text()).toContain("502");
    expect((await knobs()).body.failNext.count).toBe(0);
  });

  it("gives Marketo its own transient error (HTTP 200, success false) and matches on the body", async () => {
    const q = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: mk.credentials.clientId,
      client_secret: mk.credentials.clientSecret,
    });
    const { access_token } = (await (await fetch(`${mk.url}/identity/oauth/token?${q}`)).json()) as any;
    await knobs({ failNext: { count: 1, status: 0, pathContains: "", bodyContains: '"startAt":"2024-05' } });
    const create = (startAt: string) =>
      fetch(`${mk.url}/bulk/v1/leads/export/create.json`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: JSON.stringify({
          fields: ["id"],
          format: "CSV",
          filter: { updatedAt: { startAt, endAt: "2024-05-20T00:00:00Z" } },
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const failed = await create("2024-05-01T00:00:00Z");
    expect(failed.status).toBe(200);
    expect(failed.body.success).toBe(false);
    expect(["604", "608", "611", "713"]).toContain(failed.body.errors[0].code);
    expect((await create("2024-05-01T00:00:00Z")).body.success).toBe(true);
  });

  it("refuses a status that is not an error and counts that are not whole", async () => {
    expect((await knobs({ failNext: { status: 200 } })).status).toBe(400);
    expect((await knobs({ failNext: { count: 1.5 } })).status).toBe(400);
    expect((await knobs({ failNext: { count: "3" } })).status).toBe(400);
  });
});
