import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MarketoSandbox, startMarketoSandbox } from "../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { restoreKnobsAfterEach } from "../helpers/sandbox-knobs.ts";
import { codeOf, marketoClient } from "./marketo-client.ts";

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
let sb: MarketoSandbox;
let mk: ReturnType<typeof marketoClient>;

beforeAll(async () => {
  sb = await startMarketoSandbox({ seed: 3, people: 400, clock: { start: START, speed: 0 } });
  mk = marketoClient(sb);
});
afterAll(() => sb.close());
restoreKnobsAfterEach(() => sb.url);

describe("marketo identity and token expiry", () => {
  it("refuses bad client credentials with HTTP 401", async () => {
    const res = await fetch(
      `${sb.url}/identity/oauth/token?grant_type=client_credentials&client_id=x&client_secret=y`,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("returns the same token until it expires, then 602; a new token works", async () => {
    const q = `grant_type=client_credentials&client_id=${sb.credentials.clientId}&client_secret=${sb.credentials.clientSecret}`;
    const first = (await (await fetch(`${sb.url}/identity/oauth/token?${q}`)).json()) as Record<
      string,
      unknown
    >;
    expect(first).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    await mk.advance(100_000);
    const form = await fetch(`${sb.url}/identity/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: q,
    });
    const again = (await form.json()) as Record<string, unknown>;
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBe(3500);

    const token = String(first.access_token);
    expect((await mk.get("/rest/v1/leads/describe.json", {}, token)).success).toBe(true);
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json"))).toBe("600");
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json", {}, "bogus:ab"))).toBe("601");
    await mk.advance(3_500_000);
    const expired = await mk.get("/rest/v1/leads/describe.json", {}, token);
    expect(expired).toMatchObject({
      success: false,
      errors: [{ code: "602", message: "Access token expired" }],
    });
    const fresh = await mk.token();
    expect(fresh).not.toBe(token);
    expect((await mk.get("/rest/v1/leads/describe.json", {}, fresh)).success).toBe(true);
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json", {}, token))).toBe("602");
  });

  it("the tokenTtlMs knob shortens token life; authExpiry faults expire the token (602) until refreshed", async () => {
    await mk.advance(3_700_000);
    await mk.knobs({ tokenTtlMs: 60_000 });
    const res = await fetch(
      `${sb.url}/identity/oauth/token?grant_type=client_credentials&client_id=${sb.credentials.clientId}&client_secret=${sb.credentials.clientSecret}`,
    );
    const short = (await res.json()) as { access_token: string; expires_in: number };
    expect(short.expires_in).toBe(60);
    await mk.advance(61_000);
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json", {}, short.access_token))).toBe("602");
    await mk.knobs({ tokenTtlMs: 0, errorRate: { authExpiry: 1 } });
    const t = await mk.token();
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json", {}, t))).toBe("602");
    await mk.knobs({ errorRate: { authExpiry: 0 } });
    expect(codeOf(await mk.get("/rest/v1/leads/describe.json", {}, t))).toBe("602");
    const t2 = await mk.token();
    expect(t2).not.toBe(t);
    expect((await mk.get("/rest/v1/leads/describe.json", {}, t2)).success).toBe(true);
  });
});

describe("marketo leads.json and describe", () => {
  it("describe and describe2 list every Marketo-leads template field", async () => {
    const token = await mk.token();
    const d = await mk.get("/rest/v1/leads/describe.json", {}, token);
    const names = (d.result ?? []).map((f) => (f.rest as { name: string }).name);
    for (const n of [
      "id",
      "sfdcAccountId",
      "sfdcContactId",
      "firstName",
      "middleName",
      "lastName",
      "email",
      "phone",
    ]) {
      expect(names).toContain(n);
    }
    for (const n of [
      "mobilePhone",
      "gender",
      "dateOfBirth",
      "billingStreet",
      "billingPostalCode",
      "postalCode",
    ]) {
      expect(names).toContain(n);
    }
    const d2 = await mk.get("/rest/v1/leads/describe2.json", {}, token);
    expect(d2.result?.[0]?.searchableFields).toContainEqual(["email"]);
  });

  it("pages a lookup by id with nextPageToken and returns exactly the named live leads", async () => {
    const token = await mk.token();
    const truth = await mk.truth();
    const ids = truth.slice(0, 7).map((t) => t.id);
    const seen: unknown[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await mk.get(
        "/rest/v1/leads.json",
        {
          filterType: "id",
          filterValues: ids.join(","),
          batchSize: 3,
          fields: "email,updatedAt",
          ...(next ? { nextPageToken: next } : {}),
        },
        token,
      );
      expect(page.success).toBe(true);
      pages++;
      for (const r of page.result ?? []) {
        expect(Object.keys(r).sort()).toEqual(["email", "id", "updatedAt"]);
        expect(String(r.updatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      seen.push(...(page.result ?? []).map((r) => String(r.id)));
      next = page.nextPageToken;
      expect(page.moreResult ?? false).toBe(next !== undefined);
    } while (next);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it("carries sfdcContactId exactly when the ground truth joins the lead to a Salesforce contact", async () => {
    const token = await mk.token();
    const truth = await mk.truth();
    const linked = truth.filter((t) => t.profileKey.key === "_salesforceContactId");
    const alone = truth.filter((t) => t.profileKey.key === "_marketoLeadId");
    expect(linked.length).toBeGreaterThan(0);
    expect(alone.length).toBeGreaterThan(0);
    const pick = [...linked.slice(0, 5), ...alone.slice(0, 5)];
    const page = await mk.get(
      "/rest/v1/leads.json",
      {
        filterType: "id",
        filterValues: pick.map((t) => t.id).join(","),
        fields: "sfdcContactId,sfdcAccountId",
      },
      token,
    );
    const byId = new Map((page.result ?? []).map((r) => [String(r.id), r]));
    for (const t of pick) {
      const lead = byId.get(t.id)!;
      expect(lead.sfdcContactId).toBe(
        t.profileKey.key === "_salesforceContactId" ? t.profileKey.value : null,
      );
      const account = t.keys.find((k) => k.key === "_salesforceAccountId")?.value ?? null;
      expect(lead.sfdcAccountId).toBe(account);
    }
    const contact = linked[0]!.profileKey.value;
    const bySf = await mk.get(
      "/rest/v1/leads.json",
      { filterType: "sfdcContactId", filterValues: contact },
      token,
    );
    expect((bySf.result ?? []).map((r) => String(r.id))).toEqual([linked[0]!.id]);
  });

  it("looks emails up case-insensitively and tunnels long lookups through POST _method=GET", async () => {
    const token = await mk.token();
    const truth = await mk.truth();
    const one = await mk.get(
      "/rest/v1/leads.json",
      { filterType: "id", filterValues: truth[3]!.id, fields: "email" },
      token,
    );
    const email = String(one.result?.[0]?.email ?? "").trim();
    if (email) {
      const hit = await mk.get(
        "/rest/v1/leads.json",
        { filterType: "email", filterValues: email.toUpperCase() },
        token,
      );
      expect((hit.result ?? []).map((r) => String(r.id))).toContain(truth[3]!.id);
    }
    const ids = truth.slice(0, 200).map((t) => t.id);
    const padded = [...ids, ...Array.from({ length: 100 }, (_, i) => String(9_000_000_000 + i))].join(",");
    const long = await fetch(`${sb.url}/rest/v1/leads.json?filterType=id&filterValues=${padded.repeat(5)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(long.status).toBe(414);
    const tunnelled = await fetch(`${sb.url}/rest/v1/leads.json?_method=GET`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ filterType: "id", filterValues: padded, fields: "id" }).toString(),
    });
    const body = (await tunnelled.json()) as {
      success: boolean;
      result: { id: number }[];
      nextPageToken?: string;
    };
    expect(body.success).toBe(true);
    expect(body.result.map((r) => String(r.id))).toEqual(ids.slice(0, 200));
  });

  it("answers bad lookups with Marketo's codes on HTTP 200", async () => {
    const token = await mk.token();
    const many = Array.from({ length: 301 }, (_, i) => 1001 + i).join(",");
    expect(codeOf(await mk.get("/rest/v1/leads.json", { filterType: "id", filterValues: many }, token))).toBe(
      "1003",
    );
    expect(
      codeOf(await mk.get("/rest/v1/leads.json", { filterType: "createdAt", filterValues: "x" }, token)),
    ).toBe("1011");
    expect(
      codeOf(
        await mk.get(
          "/rest/v1/leads.json",
          { filterType: "id", filterValues: "1001", fields: "nope" },
          token,
        ),
      ),
    ).toBe("1006");
    expect(codeOf(await mk.get("/rest/v1/nothing.json", {}, token))).toBe("610");
    expect(codeOf(await mk.post("/rest/v1/leads.json", {}, token))).toBe("605");
  });
});
