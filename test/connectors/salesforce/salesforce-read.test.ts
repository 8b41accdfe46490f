import { afterEach, describe, expect, it } from "vitest";
import { QueryTimeoutError } from "../../../src/connectors/salesforce/index.ts";
import { isConnectorError, type Page } from "../../../src/connectors/sdk/index.ts";
import type { SalesforceSandbox } from "../../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { connect, DAY, keys, raw, readAll, sandbox, truth } from "./harness.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function setup(people?: number, knobs?: object): Promise<SalesforceSandbox> {
  const sb = await sandbox(people, knobs);
  open.push(sb);
  return sb;
}
function conn(...args: Parameters<typeof connect>) {
  const c = connect(...args);
  open.push(c.connector);
  return c;
}
const jobsOf = async (sb: SalesforceSandbox) =>
  ((await (await raw(sb, "jobs/query")).json()) as { records: unknown[] }).records.length;

describe("Salesforce reads: REST and Bulk API 2.0", () => {
  it("switches to Bulk 2.0 at the threshold and hands on the same typed records as REST", async () => {
    const sb = await setup(800);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const expected = await truth(sb, "Contact", window.from, window.to);
    expect(expected.length).toBeGreaterThan(400);
    const rest = await readAll(conn(sb, { bulkThreshold: 1_000_000 }).connector, {
      object: "Contact",
      window,
      pageSize: 200,
    });
    expect(await jobsOf(sb)).toBe(0);
    const bulk = await readAll(conn(sb, { bulkThreshold: 300 }).connector, {
      object: "Contact",
      window,
      pageSize: 200,
    });
    expect(await jobsOf(sb)).toBe(0); // the finished job was deleted
    expect(keys(rest)).toEqual(expected);
    expect(keys(bulk)).toEqual(expected);
    // Bulk CSV cells come back with REST's types: booleans, numbers, `…+0000` datetimes, nulls.
    const byId = new Map(rest.flatMap((p) => p.records).map((r) => [r.id, r.data]));
    for (const r of bulk.flatMap((p) => p.records)) expect(r.data, r.id).toEqual(byId.get(r.id));
    const sample = bulk.at(-1)!.records[0]!.data;
    expect(typeof sample["IsDeleted"]).toBe("boolean");
    expect(String(sample["SystemModstamp"])).toMatch(/\.\d{3}\+0000$/);
  });

  it("reads a burst of equal SystemModstamps larger than a LIMIT page across the Id tiebreak", async () => {
    const sb = await setup();
    const at = sb.world.historyEnd - 3_600_000;
    await fetch(`${sb.url}/__sandbox/burst`, {
      method: "POST",
      body: JSON.stringify({ object: "Contact", size: 70, at }),
    });
    const window = { from: at - DAY, to: at + 1000 };
    const expected = await truth(sb, "Contact", window.from, window.to);
    expect(expected.filter((k) => k.endsWith(`@${at}`)).length).toBeGreaterThan(60);
    const { connector } = conn(sb);
    expect(keys(await readAll(connector, { object: "Contact", window, pageSize: 20 }))).toEqual(expected);
  });

  it("re-queries from the keyset when a saved locator has expired", async () => {
    const sb = await setup(800);
    const { connector, timer } = conn(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const first: Page[] = [];
    for await (const p of connector.read({ object: "Contact", window, pageSize: 200 })) {
      first.push(p);
      if (first.length === 2) break;
    }
    expect(String(first[1]!.checkpoint["next"])).toMatch(/\/queryAll\/0r8/);
    // Each page carries the size of the answer it came from (the flow's bytes processed).
    for (const p of first)
      expect(p.bytes).toBeGreaterThan(JSON.stringify(p.records.map((r) => r.data)).length);
    sb.world.clock.advance(3 * DAY); // locators live 2 days
    timer.advance(3 * DAY);
    const rest = await readAll(connector, {
      object: "Contact",
      window,
      resume: first[1]!.checkpoint,
      pageSize: 200,
    });
    expect([...keys(first), ...keys(rest)].sort()).toEqual(
      await truth(sb, "Contact", window.from, window.to),
    );
  });
});

describe("Salesforce QUERY_TIMEOUT", () => {
  it("throws QueryTimeoutError with halves unless asked to split", async () => {
    const sb = await setup(600, { queryTimeoutRows: 60 });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const err = await readAll(conn(sb).connector, { object: "Contact", window }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    const t = err as QueryTimeoutError;
    expect([t.class, t.vendorCode]).toEqual(["transient", "QUERY_TIMEOUT"]);
    expect(t.halves[0].from).toBe(window.from);
    expect(t.halves[1].to).toBe(window.to);
  });

  it("splits the window inside the read, for REST and Bulk, and resumes from every checkpoint", async () => {
    const sb = await setup(600, { queryTimeoutRows: 60 });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const expected = await truth(sb, "Contact", window.from, window.to);
    for (const tuning of [{}, { bulkThreshold: 10 }]) {
      const { connector } = conn(sb, { splitOnQueryTimeout: true, ...tuning });
      const pages = await readAll(connector, { object: "Contact", window, pageSize: 200 });
      expect(keys(pages)).toEqual(expected);
      for (let k = 0; k < pages.length; k += 3) {
        const rest = await readAll(connector, {
          object: "Contact",
          window,
          resume: pages[k]!.checkpoint,
          pageSize: 200,
        });
        expect([...keys(pages.slice(0, k + 1)), ...keys(rest)].sort()).toEqual(expected);
      }
    }
  });
});

describe("Salesforce API allocation", () => {
  it("pauses with quota_exhausted when another integration used the allocation up", async () => {
    const sb = await setup(300, { rateLimitScale: 0.0001 }); // 10 requests a day
    for (let i = 0; i < 12; i++) await raw(sb, "limits");
    const { connector, timer } = conn(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const err = await readAll(connector, { object: "Contact", window }).catch((e: unknown) => e);
    expect(isConnectorError(err, "quota_exhausted")).toBe(true);
    expect((err as { resetAt: number }).resetAt).toBeGreaterThan(timer.now());
    expect((err as { vendorCode: string }).vendorCode).toBe("REQUEST_LIMIT_EXCEEDED");
    // Paused: nothing is sent until the reset time.
    const before = (await (await fetch(`${sb.url}/__sandbox/limits`)).json()) as { requests: number };
    await expect(readAll(connector, { object: "Contact", window })).rejects.toMatchObject({
      class: "quota_exhausted",
    });
    const after = (await (await fetch(`${sb.url}/__sandbox/limits`)).json()) as { requests: number };
    expect(after.requests).toBe(before.requests);
  });
});
