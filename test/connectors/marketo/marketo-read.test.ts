import { afterEach, describe, expect, it } from "vitest";
import type { KnobsPatch } from "../../../src/sandbox/core/index.ts";
import type {
  MarketoSandbox,
  MarketoSandboxOptions,
} from "../../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { admin, connect, keys, readAll, replay, sandbox, truth } from "./harness.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function setup(people?: number, knobs?: KnobsPatch, extra?: Partial<MarketoSandboxOptions>) {
  const sb = await sandbox(people, knobs, extra);
  open.push(sb);
  return sb;
}
function conn(
  sb: MarketoSandbox,
  ...rest: Parameters<typeof connect> extends [unknown, ...infer R] ? R : never
) {
  const c = connect(sb, ...rest);
  open.push(c.connector);
  return c;
}

describe("Marketo windowed reads (Bulk Lead Extract) against the sandbox", () => {
  it("returns exactly the ground-truth leads of a window spanning several 30-day jobs, any page size", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const from = sb.world.historyStart + 200 * DAY + 12_345; // not on a second boundary
    const to = sb.world.historyStart + 300 * DAY + 999;
    const expected = await truth(sb, from, to);
    expect(expected.length).toBeGreaterThan(10);
    for (const pageSize of [4, 300]) {
      const pages = await readAll(connector, { object: "leads", window: { from, to }, pageSize });
      expect(keys(pages), `page size ${pageSize}`).toEqual(expected);
      expect(pages.at(-1)!.done).toBe(true);
      expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    }
    expect((await admin(sb, "GET", "limits")).violations).toBe(0);
  });

  it("resumes from every checkpoint (job id, file offset, sub-window) with no loss and no duplicate", async () => {
    const sb = await setup(200);
    const { connector } = conn(sb);
    const window = { from: sb.world.historyEnd - 70 * DAY, to: sb.world.historyEnd };
    const full = await readAll(connector, { object: "leads", window, pageSize: 3 });
    const all = keys(full);
    expect(all).toEqual(await truth(sb, window.from, window.to));
    expect(new Set(full.map((p) => p.checkpoint["exportId"])).size).toBeGreaterThan(3); // 3 jobs + ""
    expect(full.some((p) => (p.checkpoint["offset"] as number) > 0)).toBe(true);
    for (let k = 0; k < full.length; k++) {
      const resume = JSON.parse(JSON.stringify(full[k]!.checkpoint));
      const rest = await readAll(connector, { object: "leads", window, resume, pageSize: 3 });
      expect([...keys(full.slice(0, k + 1)), ...keys(rest)].sort(), `resume after page ${k}`).toEqual(all);
    }
  });

  it("delivers deleted leads as delete events of the window", async () => {
    const sb = await setup();
    const { connector, advance } = conn(sb);
    const [victim] = await truth(sb);
    const id = victim!.split("@")[0]!;
    await admin(sb, "DELETE", `records/leads/${id}`);
    advance(2 * MINUTE);
    const window = { from: sb.world.historyStart, to: sb.world.clock.now() - MINUTE };
    const pages = await readAll(connector, { object: "leads", window });
    expect(pages.flatMap((p) => p.deletions.map((d) => d.id))).toEqual([id]);
    expect(keys(pages).some((k) => k.startsWith(`${id}@`))).toBe(false);
    expect(keys(pages)).toEqual(await truth(sb, window.from, window.to));
  });

  it("waits out a full export queue (1029) a minute at a time", async () => {
    const sb = await setup(100, {}, { bulk: { maxQueued: 1 } });
    const { connector, timer } = conn(sb);
    // Another integration's job holds the only queue slot until the next status tick.
    const token = (await (
      await fetch(
        `${sb.url}/identity/oauth/token?grant_type=client_credentials&client_id=${sb.credentials.clientId}&client_secret=${sb.credentials.clientSecret}`,
      )
    ).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" };
    const created: any = await (
      await fetch(`${sb.url}/bulk/v1/leads/export/create.json`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          fields: ["id"],
          filter: { createdAt: { startAt: "2024-01-01T00:00:00Z", endAt: "2024-01-02T00:00:00Z" } },
        }),
      })
    ).json();
    await fetch(`${sb.url}/bulk/v1/leads/export/${created.result[0].exportId}/enqueue.json`, {
      method: "POST",
      headers: auth,
    });
    const window = { from: sb.world.historyEnd - 20 * DAY, to: sb.world.historyEnd };
    const pages = await readAll(connector, { object: "leads", window });
    expect(keys(pages)).toEqual(await truth(sb, window.from, window.to));
    expect(timer.sleeps).toContain(60_000);
  });

  it("falls back to lead-change activities when the updatedAt bulk filter is unsupported (1035)", async () => {
    const sb = await setup(200, {}, { bulk: { updatedAtFilter: false } });
    const { connector } = conn(sb);
    const window = { from: sb.world.historyStart + 100 * DAY + 777, to: sb.world.historyStart + 400 * DAY };
    const pages = await readAll(connector, { object: "leads", window, pageSize: 50 });
    expect(keys(pages)).toEqual(await truth(sb, window.from, window.to));
    expect(pages.some((p) => p.checkpoint["strict"] === true)).toBe(true);
  });
});

describe("Marketo faults and limits", () => {
  it("survives 604/608/611/713, injected 606, expired tokens (602) and cut bodies; never early", async () => {
    const sb = await setup(200, {
      errorRate: { transient: 0.15, rateLimit: 0.1, authExpiry: 0.1 },
      truncateRate: 0.1,
    });
    const { connector, timer } = conn(sb);
    const window = { from: sb.world.historyEnd - 90 * DAY, to: sb.world.historyEnd };
    const pages = await readAll(connector, { object: "leads", window, pageSize: 5 });
    sb.world.setKnobs({ errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 }, truncateRate: 0 });
    expect(keys(pages)).toEqual(await truth(sb, window.from, window.to));
    expect(timer.sleeps).toContain(20_000); // a 606 waited out for its 20-second window
    expect((await admin(sb, "GET", "limits")).violations).toBe(0);
  });

  it("keeps to 50 calls per 20 s without being told (no 606 from the real limit)", async () => {
    const sb = await setup(300);
    const { connector } = conn(sb);
    await readAll(connector, { object: "leads", since: sb.world.historyStart, pageSize: 2 });
    const limits = await admin(sb, "GET", "limits");
    expect(limits.requests).toBeGreaterThan(120); // more than one 20-second window's worth
    expect(limits.rejected).toBe(0);
    expect(limits.violations).toBe(0);
  });

  it("stops on the daily quota (607) with the reset at midnight Chicago, then resumes exactly", async () => {
    const sb = await setup(200, { rateLimitScale: 0.001 }); // 50 calls a day, 1 per 20 s
    const { connector, timer, advance } = conn(sb);
    const window = { from: sb.world.historyEnd - 400 * DAY, to: sb.world.historyEnd };
    const pages: Awaited<ReturnType<typeof readAll>> = [];
    let pauses = 0;
    for (let done = false; !done; ) {
      const resume = pages.at(-1)?.checkpoint;
      try {
        for await (const p of connector.read({
          object: "leads",
          window,
          pageSize: 20,
          ...(resume ? { resume } : {}),
        }))
          pages.push(p);
        done = true;
      } catch (e: any) {
        expect(e.class, String(e)).toBe("quota_exhausted");
        const local = new Intl.DateTimeFormat("en-US", {
          timeZone: "America/Chicago",
          hour: "2-digit",
          minute: "2-digit",
          second: "2-digit",
          hourCycle: "h23",
        });
        expect(local.format(e.resetAt)).toBe("00:00:00"); // within the second after midnight
        expect(e.resetAt - timer.now()).toBeLessThanOrEqual(DAY);
        pauses++;
        advance(e.resetAt - timer.now() + 1000);
      }
    }
    expect(pauses).toBeGreaterThan(0);
    expect(keys(pages)).toEqual(await truth(sb, window.from, window.to));
  });
});

describe("Marketo incremental reads (lead-change activities)", () => {
  it("reads everything from a start time, then catches a late-visible lead in the overlap, repeating nothing", async () => {
    const sb = await setup();
    const { connector, advance } = conn(sb);
    const run1 = await readAll(connector, { object: "leads", since: sb.world.historyStart, pageSize: 100 });
    const c1 = run1.at(-1)!.checkpoint;
    expect(c1["phase"]).toBe("done");
    expect(keys(run1)).toEqual(await truth(sb));
    const late = await admin(sb, "POST", "records/leads", { fields: {}, at: (c1["to"] as number) - 30_000 });
    advance(5 * MINUTE);
    const run2 = await readAll(connector, { object: "leads", since: JSON.parse(JSON.stringify(c1)) });
    const k1 = new Set(keys(run1));
    const k2 = keys(run2);
    expect(k2.some((k) => k.startsWith(`${late.id}@`))).toBe(true);
    expect(k2.filter((k) => k1.has(k))).toEqual([]);
    expect([...k1, ...k2].sort()).toEqual(await truth(sb));
  });

  it("follows churn, bursts, mid-read changes, late commits and deletions over several runs", async () => {
    const sb = await setup(200, {
      churn: { creates: 2, updates: 3, deletes: 1 },
      // No late commits here: the sandbox can stamp a late delete before the lead's last visible update,
      // which no replay by timestamp can order (the late-visible test covers late commits).
      burst: { size: 12, everyMinutes: 5 },
      midReadChanges: 1,
    });
    const { connector, advance } = conn(sb);
    const pages = [];
    let since: number | Record<string, string | number | boolean | null> = sb.world.historyStart;
    for (let run = 0; run < 5; run++) {
      if (run === 4)
        sb.world.setKnobs({
          churn: { creates: 0, updates: 0, deletes: 0 },
          midReadChanges: 0,
          burst: { size: 0 },
        });
      const got = await readAll(connector, { object: "leads", since, pageSize: 10 });
      pages.push(...got);
      since = JSON.parse(JSON.stringify(got.at(-1)!.checkpoint));
      advance(run === 3 ? 10 * MINUTE : 7 * MINUTE);
    }
    pages.push(...(await readAll(connector, { object: "leads", since, pageSize: 10 })));
    expect(pages.some((p) => p.deletions.length > 0)).toBe(true);
    expect(replay(pages)).toEqual(await truth(sb));
  });
});
