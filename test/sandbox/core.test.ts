import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ObjectDef } from "../../src/sandbox/core/index.ts";
import { SandboxWorld, startServer } from "../../src/sandbox/core/index.ts";

/** A minimal object: person members of "zendesk" with numeric ids. */
function demoDef(world: SandboxWorld, count = 500): ObjectDef {
  const pop = world.population;
  return {
    vendor: "demo",
    name: "thing",
    count,
    idOf: (i) => String(1000 + i),
    indexOf: (id) => (/^\d+$/.test(id) && Number(id) >= 1000 ? Number(id) - 1000 : undefined),
    generate: (i) => ({ email: pop.view("zendesk", pop.personOf("zendesk", i)).email, n: 0 }),
    truth: (i) => {
      const id = String(1000 + i);
      const key = { key: "_demoId", value: id };
      return {
        personId: pop.personId(pop.personOf("zendesk", i)),
        companyId: null,
        profileKey: key,
        keys: [key],
      };
    },
    change: (_i, n, f) => ({ n: Number(f.n ?? 0) + 1 + (n % 1) }),
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("sandbox core", () => {
  it("generates a lazy history ending 5 minutes before start, monotone and range-scannable", () => {
    const world = new SandboxWorld({ seed: 7, people: 200 });
    const store = world.register(demoDef(world, 100_000));
    const now = world.clock.now();
    expect(world.historyEnd).toBeLessThanOrEqual(now - 5 * 60_000);
    let prev = -1;
    for (let i = 0; i < 100_000; i += 997) {
      const s = store.generatedStamp(i);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
    const from = world.historyStart + 100 * 86_400_000;
    const to = from + 7 * 86_400_000;
    const got = [...store.scan({ from, to, now })];
    const brute = [];
    for (let i = 0; i < 100_000; i++) {
      const s = store.generatedStamp(i);
      if (s >= from && s < to) brute.push(i);
    }
    expect(got.map((v) => v.index)).toEqual(brute);
    expect(got.length).toBeGreaterThan(500);
  });

  it("overlays creates, updates and deletes in (stamp, index) order, with late visibility", () => {
    const world = new SandboxWorld({ seed: 7, people: 200 });
    const store = world.register(demoDef(world));
    const now = world.clock.now();
    const t = now - 1000;
    store.update(3, { n: 9 }, t);
    store.update(1, { n: 8 }, t);
    store.delete(2, t + 1);
    const late = store.create({ n: 1 }, t - 60_000, now + 10_000);
    const window = [...store.scan({ from: t - 120_000, now, includeDeleted: true })];
    expect(window.map((v) => [v.index, v.deleted])).toEqual([
      [1, false],
      [3, false],
      [2, true],
    ]);
    expect([...store.scan({ from: t - 120_000, now })].map((v) => v.index)).toEqual([1, 3]);
    // The late record is stamped before the window we already read, and shows only once committed.
    expect([...store.scan({ from: t - 120_000, now: now + 10_000 })].map((v) => v.index)).toEqual([
      late,
      1,
      3,
    ]);
    // Index 1's generated version left its old place in history.
    const g1 = store.generatedStamp(1);
    expect([...store.scan({ from: g1, to: g1 + 1, now })].some((v) => v.index === 1)).toBe(false);
    expect(store.truth(2, now)?.deleted).toBe(true);
  });

  it("serves the admin API: clock, knobs, records, truth, limits; and resumes from a data dir", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sbx-core-"));
    dirs.push(dataDir);
    const world = new SandboxWorld({ seed: 3, people: 100, dataDir, knobs: { latencyMs: 0 } });
    world.register(demoDef(world));
    const srv = await startServer({ world, vendor: "demo", handler: () => ({ status: 200, body: "ok" }) });
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(srv.url + path, {
        method,
        ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    try {
      const set = await call("POST", "/__sandbox/clock", { set: "2030-01-01T00:00:00Z", speed: 0 });
      expect(set.body.iso).toBe("2030-01-01T00:00:00.000Z");
      expect((await call("POST", "/__sandbox/knobs", { churn: { updates: 2 } })).body.churn).toEqual({
        creates: 0,
        updates: 2,
        deletes: 0,
      });
      expect((await call("POST", "/__sandbox/knobs", { nope: 1 })).status).toBe(400);
      const created = await call("POST", "/__sandbox/records/thing", { fields: { n: 42 } });
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      expect((await call("PATCH", `/__sandbox/records/thing/${id}`, { fields: { n: 43 } })).status).toBe(200);
      expect(((await call("GET", `/__sandbox/records/thing/${id}`)).body.fields as { n: number }).n).toBe(43);
      await call("POST", "/__sandbox/clock", { advanceMs: 10 * 60_000 });
      const truth = await call("GET", "/__sandbox/truth/thing?offset=0&limit=10000");
      const recs = truth.body.records as Array<{ id: string; personId: string }>;
      expect(recs.length).toBe(501);
      expect(recs.find((r) => r.id === id)).toBeTruthy();
      const objects = (await call("GET", "/__sandbox/objects")).body.objects as Array<{ overlay: number }>;
      expect(objects[0]!.overlay).toBe(2 + 20); // create + patch + 10 minutes x 2 churn updates
      expect((await call("GET", "/__sandbox/limits")).body.violations).toBe(0);
      const page = await fetch(srv.url + "/anything");
      expect(page.headers.get("date")).toBe(new Date(Date.parse("2030-01-01T00:10:00Z")).toUTCString());
    } finally {
      await srv.close();
    }
    // Restart: clock, knobs and writes come back; nothing goes back in time.
    const again = new SandboxWorld({ seed: 999, people: 5, dataDir });
    const store = again.register(demoDef(again));
    expect(again.clock.now()).toBe(Date.parse("2030-01-01T00:10:00Z"));
    expect(again.knobs.churn.updates).toBe(2);
    expect(store.overlaySize).toBe(22);
    expect(again.seed).toBe(3);
  });

  it("counts rate-limit rejections and early retries", () => {
    const world = new SandboxWorld({ seed: 1, people: 10, clock: { start: 0, speed: 0 } });
    for (let i = 0; i < 3; i++) expect(world.meter.take("k", 3, 60_000).ok).toBe(true);
    const no = world.meter.take("k", 3, 60_000);
    expect(no.ok).toBe(false);
    world.meter.take("k", 3, 60_000);
    world.clock.advance(61_000);
    expect(world.meter.take("k", 3, 60_000).ok).toBe(true);
    expect(world.meter.counters()).toMatchObject({ rejected: 2, early: 1, violations: 3 });
  });
});
