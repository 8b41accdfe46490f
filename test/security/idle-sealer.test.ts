import { createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { blindIndex } from "../../src/security/kms/blind-index.ts";
import { IdleSealer } from "../../src/security/kms/idle-sealer.ts";
import type { SealJob } from "../../src/security/kms/seal-worker.ts";

/** Opens `prefix` + base64(iv | tag | ciphertext) with AES-256-GCM, independently of the code under test. */
function open(key: Buffer, aad: Buffer, prefix: string, sealed: string): string {
  expect(sealed.startsWith(prefix)).toBe(true);
  const raw = Buffer.from(sealed.slice(prefix.length), "base64");
  const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
}

// The sealer that fills the main thread's idle turns (a PostgreSQL backfill's round trips) with the next
// part's seals and blind indexes: what it computes, that it yields to the event loop between slices, and
// that a job whose operation has started is dropped.
describe("IdleSealer", () => {
  const key = randomBytes(32);
  const indexKey = randomBytes(32);
  const aad = Buffer.from("profileflow/d/profile_objects.payload");
  const job = (texts: string[], pairs: string[]): SealJob => ({
    key: new Uint8Array(key),
    indexKey: new Uint8Array(indexKey),
    indexPrefix: "pfh1.",
    seals: [{ aad: new Uint8Array(aad), prefix: "pfe2.", plaintexts: texts }],
    pairs,
  });

  it("seals what opens under the key and AAD, each value with its own IV, and indexes as blindIndex does", async () => {
    const texts = ['{"Id":"1","Email":"zoë@example.com"}', '{"Id":"1","Email":"zoë@example.com"}', ""];
    const pairs = ["_email\u0000zoe@example.com", "_phone\u0000+12063126015"];
    const r = await new IdleSealer().run(job(texts, pairs));
    expect(r).toBeDefined();
    const sealed = r!.sealed[0]!;
    expect(sealed.map((s) => open(key, aad, "pfe2.", s))).toEqual(texts);
    expect(
      new Set(sealed.map((s) => Buffer.from(s.slice(5), "base64").subarray(0, 12).toString("hex"))).size,
    ).toBe(3);
    expect(() => open(key, Buffer.from("profileflow/d/profiles.fields"), "pfe2.", sealed[0]!)).toThrow();
    expect(r!.indexes).toEqual(pairs.map((p) => blindIndex(indexKey, p)));
  });

  it("yields to the event loop between slices: a turn queued when the job starts runs before it ends", async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `{"Id":"${i}"}`);
    const pairs = texts.map((_, i) => `_email\u0000p${i}@example.com`);
    const order: string[] = [];
    const done = new IdleSealer(4).run(job(texts, pairs)).then((r) => {
      order.push(`job done: ${r?.sealed[0]?.length} seals, ${r?.indexes.length} indexes`);
    });
    setImmediate(() => order.push("turn"));
    await done;
    expect(order).toEqual(["turn", "job done: 20 seals, 20 indexes"]);
    // Smaller than a slice, a job ends without a turn of the loop.
    const small: string[] = [];
    const quick = new IdleSealer(64).run(job(texts.slice(0, 3), [])).then(() => small.push("job done"));
    setImmediate(() => small.push("turn"));
    await quick;
    expect(small).toEqual(["job done"]);
  });

  it("drops a job once it is stale: the rest is not computed and it resolves undefined", async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `{"Id":"${i}"}`);
    let asked = 0;
    // Stale from the second slice boundary on: one check before starting, then one per slice of 4.
    const r = await new IdleSealer(4).run(job(texts, []), () => ++asked >= 3);
    expect(r).toBeUndefined();
    expect(asked).toBe(3);
    // Stale before it starts: nothing at all.
    let checks = 0;
    expect(await new IdleSealer(4).run(job(texts, []), () => ++checks > 0)).toBeUndefined();
    expect(checks).toBe(1);
  });
});
