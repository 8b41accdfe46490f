import { afterEach, describe, expect, it } from "vitest";
import type { KnobsPatch } from "../../../src/sandbox/core/index.ts";
import type { ZendeskSandbox } from "../../../src/sandbox/zendesk/start-zendesk-sandbox.ts";
import {
  admin,
  connect,
  credentialsOf,
  keys,
  readAll,
  replay,
  sandbox,
  truth,
  truthRows,
} from "./harness.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function setup(people?: number, knobs?: KnobsPatch): Promise<ZendeskSandbox> {
  const sb = await sandbox(people, knobs);
  open.push(sb);
  return sb;
}
function conn(
  sb: ZendeskSandbox,
  ...rest: Parameters<typeof connect> extends [unknown, ...infer R] ? R : never
) {
  const c = connect(sb, ...rest);
  open.push(c.connector);
  return c;
}

describe("Zendesk windowed reads against the sandbox", () => {
  it("returns exactly the ground-truth records of a window, for users and tickets and any page size", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const from = sb.world.historyStart + 200 * DAY + 12_345; // not on a second boundary
    const to = sb.world.historyStart + 500 * DAY + 999;
    for (const object of ["users", "tickets"]) {
      const expected = await truth(sb, object, from, to);
      expect(expected.length).toBeGreaterThan(20);
      for (const pageSize of [7, 1000]) {
        const pages = await readAll(connector, { object, window: { from, to }, pageSize });
        expect(keys(pages), `${object} / ${pageSize}`).toEqual(expected);
        expect(pages.at(-1)!.done).toBe(true);
        expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
      }
    }
    expect((await admin(sb, "GET", "limits")).violations).toBe(0);
  });

  it("resumes from every checkpoint with no loss and no duplicate", async () => {
    const sb = await setup(200);
    const { connector } = conn(sb);
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const full = await readAll(connector, { object: "tickets", window, pageSize: 9 });
    const all = keys(full);
    expect(all).toEqual(await truth(sb, "tickets", window.from, window.to));
    expect(full.length).toBeGreaterThan(10);
    for (let k = 0; k < full.length; k++) {
      const resume = JSON.parse(JSON.stringify(full[k]!.checkpoint));
      const rest = await readAll(connector, { object: "tickets", window, resume, pageSize: 9 });
      expect([...keys(full.slice(0, k + 1)), ...keys(rest)].sort(), `resume after page ${k}`).toEqual(all);
    }
  });

  it("reads a burst of equal timestamps larger than a page", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const at = sb.world.historyEnd - 3_600_000;
    await admin(sb, "POST", "burst", { object: "users", size: 40, at });
    const window = { from: at - DAY, to: at + 1000 };
    const expected = await truth(sb, "users", window.from, window.to);
    expect(expected.filter((k) => k.endsWith(`@${at}`)).length).toBeGreaterThan(3 * 8);
    expect(keys(await readAll(connector, { object: "users", window, pageSize: 8 }))).toEqual(expected);
  });

  it("turns deleted tickets and deleted users into delete events", async () => {
    const sb = await setup();
    const { connector, advance } = conn(sb);
    const [ticket] = await truth(sb, "tickets");
    const [user] = await truth(sb, "users");
    const ticketId = ticket!.split("@")[0]!;
    const userId = user!.split("@")[0]!;
    await admin(sb, "DELETE", `records/tickets/${ticketId}`);
    await admin(sb, "DELETE", `records/users/${userId}`);
    advance(2 * MINUTE); // past the one-minute hold-back
    const window = { from: sb.world.historyStart, to: sb.world.clock.now() };
    for (const [object, id] of [
      ["tickets", ticketId],
      ["users", userId],
    ] as const) {
      const pages = await readAll(connector, { object, window });
      expect(pages.flatMap((p) => p.deletions.map((d) => d.id))).toEqual([id]);
      expect(keys(pages).some((k) => k.startsWith(`${id}@`))).toBe(false);
      expect(pages.at(-1)!.checkpoint["to"]).toBeLessThanOrEqual(sb.world.clock.now() - MINUTE);
    }
  });

  it("survives 503, 429 and expired OAuth tokens (rotated refresh tokens persisted), never early", async () => {
    const sb = await setup(200, {
      errorRate: { transient: 0.15, rateLimit: 0.15, authExpiry: 0.1 },
      rotateRefreshTokens: true,
    });
    const rotated: string[] = [];
    const { connector, timer } = conn(sb, credentialsOf(sb, "oauth_refresh"), {
      onRefreshToken: (rt) => {
        rotated.push(rt);
      },
    });
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const pages = await readAll(connector, { object: "users", window, pageSize: 10 });
    sb.world.setKnobs({ errorRate: { transient: 0, rateLimit: 0, authExpiry: 0 } });
    expect(keys(pages)).toEqual(await truth(sb, "users", window.from, window.to));
    expect(rotated.length).toBeGreaterThan(1); // the first grant and refreshes after expiries
    expect(timer.sleeps.length).toBeGreaterThan(3);
    expect((await admin(sb, "GET", "limits")).violations).toBe(0);
  });

  it("keeps under 10 export requests a minute without being told (no 429 from the real limit)", async () => {
    const sb = await setup(300);
    const { connector, timer } = conn(sb);
    const start = timer.now();
    const window = { from: sb.world.historyStart, to: sb.world.historyEnd };
    const pages = await readAll(connector, { object: "tickets", window, pageSize: 8 });
    expect(pages.length).toBeGreaterThan(25);
    const limits = await admin(sb, "GET", "limits");
    expect(limits.violations).toBe(0);
    expect(limits.rejected).toBe(0);
    // Spaced by the budget: at least 7.5 s of (fake) time per export request after the first.
    expect(timer.now() - start).toBeGreaterThanOrEqual((pages.length - 1) * 7_500);
    // Without the budget the same read runs into the limit (and is saved only by Retry-After).
    const eager = conn(sb, credentialsOf(sb), { rateBudget: { acquire: () => Promise.resolve() } });
    const again = await readAll(eager.connector, { object: "tickets", window, pageSize: 8 });
    expect(keys(again)).toEqual(keys(pages));
    expect((await admin(sb, "GET", "limits")).rejected).toBeGreaterThan(0);
  });
});

describe("Zendesk incremental reads", () => {
  it("re-reads the overlap: catches a late-visible record and repeats nothing already read", async () => {
    const sb = await setup();
    const { connector, advance } = conn(sb);
    const run1 = await readAll(connector, { object: "users", since: sb.world.historyStart });
    const c1 = run1.at(-1)!.checkpoint;
    expect(c1["done"]).toBe(true);
    const late = await admin(sb, "POST", "records/users", { fields: {}, at: (c1["to"] as number) - 30_000 });
    advance(5 * MINUTE);
    const run2 = await readAll(connector, { object: "users", since: c1 });
    const k1 = new Set(keys(run1));
    const k2 = keys(run2);
    expect(k2.some((k) => k.startsWith(`${late.id}@`))).toBe(true);
    expect(k2.filter((k) => k1.has(k))).toEqual([]);
    expect([...k1, ...k2].sort()).toEqual(await truth(sb, "users"));
  });

  it("follows churn, mid-read changes, late commits and deletions over several runs", async () => {
    const sb = await setup(200, {
      churn: { creates: 2, updates: 3, deletes: 1 },
      lateVisible: { rate: 0.3, delayMs: 2 * MINUTE },
      midReadChanges: 1,
    });
    const { connector, advance } = conn(sb);
    const pages = [];
    let since: number | Record<string, string | number | boolean | null> = sb.world.historyStart;
    for (let run = 0; run < 5; run++) {
      if (run === 4) sb.world.setKnobs({ churn: { creates: 0, updates: 0, deletes: 0 }, midReadChanges: 0 });
      const got = await readAll(connector, { object: "tickets", since, pageSize: 50 });
      pages.push(...got);
      since = JSON.parse(JSON.stringify(got.at(-1)!.checkpoint));
      advance(run === 3 ? 10 * MINUTE : 7 * MINUTE);
    }
    pages.push(...(await readAll(connector, { object: "tickets", since, pageSize: 50 })));
    expect(pages.some((p) => p.deletions.length > 0)).toBe(true);
    expect(replay(pages)).toEqual(await truth(sb, "tickets"));
    expect((await truthRows(sb, "tickets", 1000)).some((r) => r.deleted)).toBe(true);
  });
});
