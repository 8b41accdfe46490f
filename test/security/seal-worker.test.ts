import { createDecipheriv, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { blindIndex } from "../../src/security/kms/blind-index.ts";
import { PrefetchedSeals } from "../../src/security/kms/prefetched-seals.ts";
import { PIECE_CHARS, piecesOf, SealWorker, WORKER_LIMITS } from "../../src/security/kms/seal-worker.ts";

/** Opens `prefix` + base64(iv | tag | ciphertext) with AES-256-GCM, independently of the code under test. */
function open(key: Buffer, aad: Buffer, prefix: string, sealed: string): string {
  expect(sealed.startsWith(prefix)).toBe(true);
  const raw = Buffer.from(sealed.slice(prefix.length), "base64");
  const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
}

describe("SealWorker", () => {
  const worker = new SealWorker();
  afterAll(() => worker.close());
  const key = randomBytes(32);
  const indexKey = randomBytes(32);
  const aad = Buffer.from("profileflow/d/profile_objects.payload");

  it("seals what opens under the key and AAD, each value with its own IV, and indexes as blindIndex does", async () => {
    const texts = ['{"Id":"1","Email":"zoë@example.com"}', '{"Id":"1","Email":"zoë@example.com"}', ""];
    const pairs = ["_email\u0000zoe@example.com", "_phone\u0000+12063126015"];
    const r = await worker.run({
      key,
      indexKey,
      indexPrefix: "pfh1.",
      seals: [{ aad, prefix: "pfe2.", plaintexts: texts }],
      pairs,
    });
    expect(r).toBeDefined();
    const sealed = r!.sealed[0]!;
    expect(sealed.map((s) => open(key, aad, "pfe2.", s))).toEqual(texts);
    // Equal plaintexts, different values: every seal draws its own IV.
    expect(sealed[0]).not.toBe(sealed[1]);
    expect(
      new Set(sealed.map((s) => Buffer.from(s.slice(5), "base64").subarray(0, 12).toString("hex"))).size,
    ).toBe(3);
    // Bound to its AAD: another place's does not open it.
    expect(() => open(key, Buffer.from("profileflow/d/profiles.fields"), "pfe2.", sealed[0]!)).toThrow();
    expect(r!.indexes).toEqual(pairs.map((p) => blindIndex(indexKey, p)));
  });

  it("seals four pages of 2,000 payloads of 4 KB within its heap limits (WORKER_LIMITS)", async () => {
    const texts = Array.from({ length: 8_000 }, (_, i) => `{"Id":"${i}","About":"${"ü".repeat(2_000)}"}`);
    const r = await worker.run({
      key,
      indexKey,
      indexPrefix: "pfh1.",
      seals: [{ aad, prefix: "pfe2.", plaintexts: texts }],
      pairs: texts.map((_, i) => `_email\u0000p${i}@example.com`),
    });
    expect(worker.limits).toEqual(WORKER_LIMITS);
    // It travelled in pieces (PIECE_CHARS); the answers come back whole and in order.
    expect(texts.join("").length / PIECE_CHARS).toBeGreaterThan(100);
    expect(r?.sealed[0]?.length).toBe(8_000);
    expect(r?.indexes.length).toBe(8_000);
    for (let i = 0; i < 8_000; i += 397) {
      expect(open(key, aad, "pfe2.", r!.sealed[0]![i]!)).toBe(texts[i]);
      expect(r!.indexes[i]).toBe(blindIndex(indexKey, `_email\u0000p${i}@example.com`));
    }
    expect(open(key, aad, "pfe2.", r!.sealed[0]![7_999]!)).toBe(texts[7_999]);
  });

  it("answers several runs (one empty) split in pieces, each in its own order, and indexes after them", async () => {
    const a = Array.from({ length: 300 }, (_, i) => `a${i}:${"x".repeat(1_000)}`);
    const b = Array.from({ length: 200 }, (_, i) => `b${i}:${"y".repeat(2_000)}`);
    const aadB = Buffer.from("profileflow/d/profile_history.content");
    const pairs = Array.from({ length: 9_000 }, (_, i) => `_email\u0000q${i}@example.com${"z".repeat(20)}`);
    expect([...piecesOf(a)].length).toBeGreaterThan(1);
    expect([...piecesOf(b)].length).toBeGreaterThan(1);
    expect([...piecesOf(pairs)].length).toBeGreaterThan(1);
    const r = await worker.run({
      key,
      indexKey,
      indexPrefix: "pfh1.",
      seals: [
        { aad, prefix: "pfe2.", plaintexts: a },
        { aad, prefix: "pfe2.", plaintexts: [] },
        { aad: aadB, prefix: "pfe2.", plaintexts: b },
      ],
      pairs,
    });
    expect(r!.sealed.map((x) => x.length)).toEqual([300, 0, 200]);
    expect(r!.sealed[0]!.map((v) => open(key, aad, "pfe2.", v))).toEqual(a);
    expect(r!.sealed[2]!.map((v) => open(key, aadB, "pfe2.", v))).toEqual(b);
    expect(r!.indexes).toEqual(pairs.map((p) => blindIndex(indexKey, p)));
  });

  it("one piece that fails fails the whole job (undefined), and the worker goes on with the next", async () => {
    const good = Array.from({ length: 200 }, (_, i) => `${i}:${"x".repeat(1_000)}`);
    const bad = [...good, 42 as unknown as string];
    const job = (plaintexts: string[]) => ({
      key,
      indexKey,
      indexPrefix: "pfh1.",
      seals: [{ aad, prefix: "pfe2.", plaintexts }],
      pairs: [],
    });
    expect([...piecesOf(bad)].length).toBeGreaterThan(1);
    expect(await worker.run(job(bad))).toBeUndefined();
    expect((await worker.run(job(good)))?.sealed[0]?.length).toBe(200);
  });

  it("piecesOf: consecutive slices of about the size, at least one item each, nothing for nothing", () => {
    const items = ["aaaa", "bb", "cccccc", "d", "ee", "ffffffffff", "g"];
    const pieces = [...piecesOf(items, 6)];
    expect(pieces).toEqual([["aaaa", "bb"], ["cccccc"], ["d", "ee", "ffffffffff"], ["g"]]);
    expect([...piecesOf([], 6)]).toEqual([]);
  });

  it("answers undefined once closed, so its callers compute inline", async () => {
    const w = new SealWorker();
    expect(
      await w.run({ key, indexKey, indexPrefix: "pfh1.", seals: [], pairs: ["a\u0000b"] }),
    ).toBeDefined();
    await w.close();
    expect(
      await w.run({ key, indexKey, indexPrefix: "pfh1.", seals: [], pairs: ["a\u0000b"] }),
    ).toBeUndefined();
  });
});

describe("PrefetchedSeals", () => {
  const keys = { key: randomBytes(32), indexKey: randomBytes(32) };

  it("gives each sealed value once, by place and exact text", () => {
    const store = new PrefetchedSeals("wrapped", keys);
    store.addSeals("profile_objects.payload", ["a", "a", "b"], ["s1", "s2", "s3"]);
    expect(store.takeSeal("profiles.fields", "a")).toBeUndefined();
    const twice = [
      store.takeSeal("profile_objects.payload", "a"),
      store.takeSeal("profile_objects.payload", "a"),
    ];
    expect(twice.sort()).toEqual(["s1", "s2"]);
    expect(store.takeSeal("profile_objects.payload", "a")).toBeUndefined();
    expect(store.takeSeal("profile_objects.payload", "b")).toBe("s3");
    expect(store.taken).toEqual({ seals: 3, indexes: 0 });
  });

  it("gives each blind index once (the operation taking it remembers it) and counts those used", () => {
    const store = new PrefetchedSeals("wrapped", keys);
    store.addIndexes(["_email\u0000a@b.c"], ["pfh1.x"]);
    expect(store.hasIndex("_email\u0000a@b.c")).toBe(true);
    expect(store.takeIndex("_email\u0000a@b.c")).toBe("pfh1.x");
    expect(store.takeIndex("_email\u0000a@b.c")).toBeUndefined();
    expect(store.hasIndex("_email\u0000a@b.c")).toBe(false);
    expect(store.takeIndex("_email\u0000other")).toBeUndefined();
    expect(store.taken.indexes).toBe(1);
  });

  it("delivered() turns the event loop (an answer already sent gets in), settled() waits for the one in flight", async () => {
    const store = new PrefetchedSeals("wrapped", keys);
    // An answer that arrives as a message: delivered by the loop's poll, not by microtasks.
    const answered = new Promise<void>((r) => setImmediate(r)).then(() =>
      store.addIndexes(["_email\u0000a@b.c"], ["pfh1.y"]),
    );
    store.track(answered);
    await store.delivered();
    expect(store.takeIndex("_email\u0000a@b.c")).toBe("pfh1.y");
    let release = () => {};
    store.track(new Promise<void>((r) => (release = r)));
    const waiting = store.settled();
    let done = false;
    void waiting.then(() => (done = true));
    await store.delivered();
    expect(done).toBe(false);
    release();
    await waiting;
    expect(done).toBe(true);
  });
});
