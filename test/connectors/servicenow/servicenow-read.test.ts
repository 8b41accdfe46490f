import { afterEach, describe, expect, it } from "vitest";
import { isConnectorError } from "../../../src/connectors/sdk/index.ts";
import type { ServiceNowSandbox } from "../../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { admin, connect, keys, readAll, START, sandbox, truth } from "./harness.ts";

const DAY = 86_400_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function setup(people?: number, rateLimitPerHour?: number): Promise<ServiceNowSandbox> {
  const sb = await sandbox(people, rateLimitPerHour);
  open.push(sb);
  return sb;
}
function conn(
  sb: ServiceNowSandbox,
  ...rest: Parameters<typeof connect> extends [unknown, ...infer R] ? R : never
) {
  const c = connect(sb, ...rest);
  open.push(c.connector);
  return c;
}

describe("ServiceNow windowed reads against the sandbox", () => {
  it("returns exactly the ground-truth records of a window, for every object and page size", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const from = sb.world.historyStart + 200 * DAY + 12_345; // not on a second boundary
    const to = sb.world.historyStart + 500 * DAY + 999;
    for (const [object, truthOf] of [
      ["sys_user", "sys_user"],
      ["incident", "incident"],
      ["task", "incident"], // every incident is also a task
    ] as const) {
      const expected = await truth(sb, truthOf, from, to);
      expect(expected.length).toBeGreaterThan(20);
      for (const pageSize of [7, 1000]) {
        const pages = await readAll(connector, { object, window: { from, to }, pageSize });
        expect(keys(pages), `${object} / ${pageSize}`).toEqual(expected);
        expect(pages.at(-1)!.done).toBe(true);
        expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
      }
    }
  });

  it("resumes from every checkpoint with no loss and no duplicate", async () => {
    const sb = await setup(300);
    const { connector } = conn(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const full = await readAll(connector, { object: "sys_user", window, pageSize: 6 });
    const all = keys(full);
    expect(all).toEqual(await truth(sb, "sys_user", window.from, window.to));
    expect(full.length).toBeGreaterThan(10);
    for (let k = 0; k < full.length; k++) {
      const cp = full[k]!.checkpoint;
      expect(Object.values(cp).every((v) => v === null || typeof v !== "object")).toBe(true);
      const rest = await readAll(connector, { object: "sys_user", window, resume: cp, pageSize: 6 });
      expect([...keys(full.slice(0, k + 1)), ...keys(rest)].sort(), `resume after page ${k}`).toEqual(all);
    }
  });

  it("reads a burst of equal timestamps larger than a page, across the tiebreak", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const at = sb.world.historyEnd - 3_600_000;
    await admin(sb, "POST", "burst", { object: "sys_user", size: 45, at });
    const window = { from: at - DAY, to: at + 1000 };
    const expected = await truth(sb, "sys_user", window.from, window.to);
    const burst = expected.filter((k) => k.endsWith(`@${at}`));
    expect(burst.length).toBeGreaterThan(3 * 8); // several pages share the one timestamp
    const pages = await readAll(connector, { object: "sys_user", window, pageSize: 8 });
    expect(keys(pages)).toEqual(expected);
  });

  it("surfaces deletions from sys_audit_delete, for the table and for its parent task", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const [user] = await truth(sb, "sys_user", 0, START);
    const [incident] = await truth(sb, "incident", 0, START);
    const userId = user!.split("@")[0]!;
    const incidentId = incident!.split("@")[0]!;
    await admin(sb, "DELETE", `records/sys_user/${userId}`);
    await admin(sb, "DELETE", `records/incident/${incidentId}`);
    sb.world.clock.advance(120_000); // past the connector's 1-minute lag
    const window = { from: sb.world.historyStart, to: START + 90_000 };
    const users = await readAll(connector, { object: "sys_user", window });
    expect(users.flatMap((p) => p.deletions.map((d) => [d.id, d.deletedAt]))).toEqual([[userId, START]]);
    expect(keys(users).some((k) => k.startsWith(userId))).toBe(false);
    const tasks = await readAll(connector, { object: "task", window });
    expect(tasks.flatMap((p) => p.deletions.map((d) => d.id))).toEqual([incidentId]);
  });
});

describe("ServiceNow incremental reads", () => {
  it("re-reads the overlap: catches a late-visible record and repeats nothing already read", async () => {
    const sb = await setup();
    const { connector, timer } = conn(sb);
    const advance = (ms: number) => {
      sb.world.clock.advance(ms);
      timer.advance(ms);
    };
    // A record stamped inside the coming overlap region, read by run 1.
    const early = await admin(sb, "POST", "records/sys_user", {
      fields: { first_name: "Early" },
      at: START - 180_000,
    });
    const run1 = await readAll(connector, { object: "sys_user", since: sb.world.historyStart });
    const c1 = run1.at(-1)!.checkpoint;
    expect(c1["phase"]).toBe("done");
    expect(keys(run1).some((k) => k.startsWith(early.id))).toBe(true);
    // Committed late: stamped before run 1's watermark, visible only now.
    const late = await admin(sb, "POST", "records/sys_user", {
      fields: { first_name: "Late" },
      at: (c1["to"] as number) - 30_000,
    });
    advance(5 * 60_000);
    const run2 = await readAll(connector, { object: "sys_user", since: c1 });
    const k2 = keys(run2);
    expect(k2.some((k) => k.startsWith(late.id))).toBe(true);
    const k1 = new Set(keys(run1));
    expect(k2.filter((k) => k1.has(k))).toEqual([]);
    // Together the runs hold exactly the truth up to run 2's watermark.
    const to2 = run2.at(-1)!.checkpoint["to"] as number;
    expect([...k1, ...k2].sort()).toEqual(await truth(sb, "sys_user", sb.world.historyStart, to2));
  });

  it("loses nothing when records change while pages are read", async () => {
    const sb = await setup();
    sb.world.setKnobs({ midReadChanges: 2 });
    const { connector, timer } = conn(sb);
    const run1 = await readAll(connector, { object: "incident", since: sb.world.historyStart, pageSize: 10 });
    sb.world.setKnobs({ midReadChanges: 0 });
    sb.world.clock.advance(5 * 60_000);
    timer.advance(5 * 60_000);
    const run2 = await readAll(connector, {
      object: "incident",
      since: run1.at(-1)!.checkpoint,
      pageSize: 10,
    });
    const latest = new Map<string, number>();
    for (const p of [...run1, ...run2])
      for (const r of p.records) latest.set(r.id, Math.max(latest.get(r.id) ?? 0, r.sourceTimestamp));
    const to2 = run2.at(-1)!.checkpoint["to"] as number;
    const expected = await truth(sb, "incident", 0, to2);
    expect([...latest].map(([id, t]) => `${id}@${t}`).sort()).toEqual(expected);
  });
});

describe("ServiceNow under faults", () => {
  it("survives 5xx, 429, token expiry and truncated bodies with exact results and no early retries", async () => {
    const sb = await setup(300);
    const rotated: string[] = [];
    const { connector, timer } = conn(sb, "oauth_password", { onRefreshToken: (t) => void rotated.push(t) });
    sb.world.setKnobs({
      errorRate: { transient: 0.15, rateLimit: 0.15, authExpiry: 0.05 },
      truncateRate: 0.1,
      rotateRefreshTokens: true,
    });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    for (const object of ["sys_user", "incident"] as const) {
      const pages = await readAll(connector, { object, window, pageSize: 9 });
      sb.world.setKnobs({ errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 }, truncateRate: 0 });
      expect(keys(pages)).toEqual(await truth(sb, object, window.from, window.to));
      sb.world.setKnobs({
        errorRate: { transient: 0.15, rateLimit: 0.15, authExpiry: 0.05 },
        truncateRate: 0.1,
      });
    }
    const limits = await admin(sb, "GET", "limits");
    expect(limits.violations).toBe(0); // no retry sent while a Retry-After was pending
    expect(timer.sleeps.length).toBeGreaterThan(5); // faults did fire and were waited out
    expect(rotated.length).toBeGreaterThan(1);
  });

  it("stops with quota_exhausted at the hourly limit and resumes from its checkpoint after the reset", async () => {
    const sb = await setup(300, 12);
    const { connector, timer } = conn(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const before: Awaited<ReturnType<typeof readAll>> = [];
    let stopped: unknown;
    try {
      for await (const p of connector.read({ object: "sys_user", window, pageSize: 5 })) before.push(p);
    } catch (e) {
      stopped = e;
    }
    expect(isConnectorError(stopped, "quota_exhausted")).toBe(true);
    const resetAt = (stopped as { resetAt: number }).resetAt;
    expect(resetAt).toBeGreaterThan(timer.now() + 5 * 60_000);
    expect(before.length).toBeGreaterThan(5);
    // The flow pauses until resetAt, then resumes the same read.
    sb.world.clock.advance(resetAt - timer.now() + 1000);
    timer.advance(resetAt - timer.now() + 1000);
    const resumed = await readAll(connector, {
      object: "sys_user",
      window,
      resume: before.at(-1)!.checkpoint,
      pageSize: 50,
    });
    expect([...keys(before), ...keys(resumed)].sort()).toEqual(
      await truth(sb, "sys_user", window.from, window.to),
    );
  });
});
