import { Connection } from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../../src/sandbox/salesforce/salesforce-sandbox.ts";

// Fidelity tests with a client we did not write: jsforce 3 against the Salesforce sandbox, unchanged.
let sf: SalesforceSandbox;
type Truth = { id: string; deleted: boolean; personId: string | null };

async function truth(object: string): Promise<Truth[]> {
  const out: Truth[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const r = (await (
      await fetch(`${sf.url}/__sandbox/truth/${object}?offset=${offset}&limit=10000`)
    ).json()) as { records: Truth[]; nextOffset: number | null };
    out.push(...r.records);
    offset = r.nextOffset;
  }
  return out;
}

function connect(accessToken = sf.credentials.accessToken): Connection {
  return new Connection({
    oauth2: {
      clientId: sf.credentials.clientId,
      clientSecret: sf.credentials.clientSecret,
      loginUrl: sf.credentials.loginUrl,
    },
    instanceUrl: sf.credentials.instanceUrl,
    accessToken,
    refreshToken: sf.credentials.refreshToken,
    version: "58.0",
  });
}

const SOQL =
  "SELECT Id, FirstName, LastName, Email, AccountId, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id";

beforeAll(async () => {
  // 9,000 people → 5,400 Contacts: three REST pages of 2,000.
  sf = await startSalesforceSandbox({ seed: 42, people: 9000 });
  // Some writes while running: a delete, an update, a create.
  const ids = (await truth("Contact")).map((t) => t.id);
  await fetch(`${sf.url}/__sandbox/records/Contact/${ids[10]}`, { method: "DELETE" });
  await fetch(`${sf.url}/__sandbox/records/Contact/${ids[20]}`, {
    method: "PATCH",
    body: JSON.stringify({ fields: { Title: "CEO" } }),
  });
  await fetch(`${sf.url}/__sandbox/records/Contact`, {
    method: "POST",
    body: JSON.stringify({ fields: { LastName: "Newcomer" } }),
  });
});
afterAll(async () => {
  await sf?.close();
});

describe("jsforce against the Salesforce sandbox", () => {
  it("refreshes an expired session through OAuth and retries", async () => {
    const conn = connect("00DSb0000000001!AQexpired");
    let refreshed = "";
    conn.on("refresh", (token: string) => {
      refreshed = token;
    });
    const res = await conn.query<{ Id: string }>("SELECT Id FROM Account LIMIT 5");
    expect(res.records).toHaveLength(5);
    expect(refreshed).toMatch(/^00DSb0000000001!AQ/);
    expect(conn.accessToken).toBe(refreshed);
  });

  it("query with autoFetch returns exactly the ground truth across several 2,000-row pages", async () => {
    const expected = (await truth("Contact")).filter((t) => !t.deleted).map((t) => t.id);
    expect(expected.length).toBeGreaterThan(4000);
    const conn = connect();
    const res = await conn.query<{ Id: string; SystemModstamp: string }>(SOQL, {
      autoFetch: true,
      maxFetch: 100_000,
    });
    expect(res.totalSize).toBe(expected.length);
    const got = res.records.map((r) => r.Id);
    expect(got.length).toBe(expected.length);
    expect(new Set(got)).toEqual(new Set(expected));
    const stamps = res.records.map((r) => r.SystemModstamp);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it("queryMore follows nextRecordsUrl page by page; queryAll adds the deleted row", async () => {
    const conn = connect();
    let page = await conn.query<{ Id: string }>(SOQL);
    const ids = [...page.records.map((r) => r.Id)];
    let pages = 1;
    while (!page.done && page.nextRecordsUrl) {
      page = await conn.queryMore<{ Id: string }>(page.nextRecordsUrl);
      ids.push(...page.records.map((r) => r.Id));
      pages++;
    }
    expect(pages).toBe(3);
    const t = await truth("Contact");
    expect(ids).toHaveLength(t.filter((x) => !x.deleted).length);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>("SELECT Id, IsDeleted FROM Contact", {
      autoFetch: true,
      maxFetch: 100_000,
      scanAll: true,
    });
    expect(all.records).toHaveLength(t.length);
    expect(all.records.filter((r) => r.IsDeleted).map((r) => r.Id)).toEqual(
      t.filter((x) => x.deleted).map((x) => x.id),
    );
  });

  it("bulk2.query returns exactly the ground truth as CSV records", async () => {
    const conn = connect();
    const stream = await conn.bulk2.query(
      "SELECT Id, Email, SystemModstamp FROM Contact WHERE SystemModstamp >= 2000-01-01T00:00:00Z",
    );
    const rows = await new Promise<Array<Record<string, string>>>((resolve, reject) => {
      const out: Array<Record<string, string>> = [];
      stream.on("record", (r: Record<string, string>) => out.push(r));
      stream.on("end", () => resolve(out));
      stream.on("error", reject);
    });
    const expected = (await truth("Contact")).filter((t) => !t.deleted).map((t) => t.id);
    expect(rows.map((r) => r.Id).sort()).toEqual([...expected].sort());
    expect(rows[0]!.SystemModstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  });

  it("describe and limits answer in Salesforce's shape", async () => {
    const conn = connect();
    const d = await conn.sobject("Contact").describe();
    expect(d.fields.map((f) => f.name)).toContain("SystemModstamp");
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
    expect(limits.DailyApiRequests?.Remaining).toBeLessThan(100_000);
  });
});
