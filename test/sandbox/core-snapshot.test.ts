import { describe, expect, it } from "vitest";
import type { ObjectDef, RecordVersion } from "../../src/sandbox/core/index.ts";
import { SandboxWorld, VersionList } from "../../src/sandbox/core/index.ts";

// ObjectStore.snapshot is the fast path of every Salesforce query: it must list exactly what scan yields.
function def(count: number): ObjectDef {
  return {
    vendor: "demo",
    name: "thing",
    count,
    idOf: (i) => String(1000 + i),
    indexOf: (id) => Number(id) - 1000,
    generate: (i) => ({ n: i % 7 }),
    truth: () => ({ personId: null, companyId: null, profileKey: { key: "k", value: "v" }, keys: [] }),
    change: (_i, n) => ({ n: 100 + n }),
  };
}

const key = (v: RecordVersion) => `${v.index}@${v.stamp}#${v.seq}${v.deleted ? "x" : ""}`;

describe("ObjectStore.snapshot", () => {
  const world = new SandboxWorld({ seed: 3, people: 100, clock: { start: Date.UTC(2025, 0, 1), speed: 0 } });
  const store = world.register(def(20_000));
  const now = world.clock.now();
  const t = (i: number) => store.generatedStamp(i);
  // Overlay: updates into the past and the future of the history, a late-visible write, deletes, creates,
  // an equal-timestamp pair, and an update stamped exactly on a generated record's stamp.
  store.update(10, { n: 1 }, t(5000));
  store.update(5000, { n: 2 }, t(5000));
  store.update(5001, { n: 3 }, t(4999));
  store.update(12_000, { n: 4 }, now - 60_000, now + 60_000);
  store.delete(7000, t(7100));
  store.delete(15, now - 1000);
  store.create({ n: 5 }, t(9000));
  store.create({ n: 6 }, now - 500);
  store.update(9000, { n: 7 }, t(9000));
  store.update(9000, { n: 8 }, t(9500));

  const windows: Array<{ from?: number; to?: number }> = [
    {},
    { from: t(4000), to: t(9600) },
    { from: t(5000), to: t(5000) + 1 },
    { from: t(9999), to: now },
    { to: t(100) },
  ];
  for (const [w, win] of windows.entries()) {
    for (const includeDeleted of [false, true]) {
      for (const at of [now, now + 120_000]) {
        it(`window ${w}, deleted=${includeDeleted}, now+${at - now}: same rows, same order as scan`, () => {
          const opts = { ...win, now: at, includeDeleted };
          const scanned = [...store.scan(opts)].map((v) => key(v));
          const snap = store.snapshot(opts);
          const listed = snap.toArray().map((r) => key(store.deref(r)));
          expect(listed).toEqual(scanned);
          expect(snap.length).toBe(scanned.length);
          // A filter and a row cap give the filtered prefix.
          const keep = (v: RecordVersion) => v.index % 3 !== 0;
          const filtered = [...store.scan(opts)].filter(keep).map((v) => key(v));
          const cut = store.snapshot(opts, keep, 1234);
          expect(cut.toArray().map((r) => key(store.deref(r)))).toEqual(filtered.slice(0, 1234));
          expect(store.snapshot(opts, undefined, 777).length).toBe(Math.min(777, scanned.length));
        });
      }
    }
  }

  it("keeps a million-row window as a few runs, with random access, slices and forEach agreeing", () => {
    const big = new SandboxWorld({ seed: 4, people: 100, clock: { start: Date.UTC(2025, 0, 1), speed: 0 } });
    const s = big.register(def(1_000_000));
    s.update(500_000, { n: 1 }, big.clock.now() - 1000);
    const snap = s.snapshot({ now: big.clock.now() });
    expect(snap.length).toBe(1_000_000);
    expect(snap.segments).toBeLessThanOrEqual(3);
    expect(snap.get(0)).toBe(0);
    expect(snap.get(499_999)).toBe(499_999);
    expect(snap.get(500_000)).toBe(500_001);
    expect(typeof snap.get(999_999)).toBe("object");
    const part = snap.slice(499_998, 500_003);
    const seen: unknown[] = [];
    snap.forEach(499_998, 500_003, (r) => seen.push(r));
    expect(part.toArray()).toEqual(seen);
    expect(seen.slice(0, 4)).toEqual([499_998, 499_999, 500_001, 500_002]);
    expect(VersionList.of([3, 4, 5, 9]).segments).toBe(2);
  });
});
