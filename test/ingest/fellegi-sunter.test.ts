import { describe, expect, it } from "vitest";
import {
  compareRecords,
  estimateModel,
  FIELDS,
  LEVELS,
  packComparison,
  scoreComparison,
  unpackComparison,
} from "../../src/ingest/matching/fellegi-sunter.ts";
import { jaroWinkler } from "../../src/ingest/matching/jaro-winkler.ts";
import { linkRecords, MAX_BLOCK_SIZE } from "../../src/ingest/matching/link-records.ts";
import { type LinkageRecord, linkageRecordOf } from "../../src/ingest/matching/linkage-record.ts";

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("Fellegi–Sunter record linkage", () => {
  it("Jaro–Winkler gives Winkler's published values", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 2);
    expect(jaroWinkler("dixon", "dicksonx")).toBeCloseTo(0.813, 3);
    expect(jaroWinkler("abc", "abc")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
  });

  it("normalizes a profile's fields and compares them: case, spacing and phone formats do not matter", () => {
    const a = linkageRecordOf("a", {
      FirstName: "Ann",
      LastName: "O'Brien",
      EmailAddress: " Ann.OBrien@Example.com",
      PhoneNumber: "(555) 201-3344",
      BirthDate: "1980-02-03",
    });
    const b = linkageRecordOf("b", {
      FirstName: "ann",
      LastName: "Obrian",
      PersonalEmailAddress: "ann.obrien@example.COM",
      MobilePhoneNumber: "+1 555 201 3344",
    });
    const c = compareRecords(a, b, () => false);
    expect(Object.fromEntries(FIELDS.map((f, i) => [f, c[i]! < 0 ? "MISSING" : LEVELS[f][c[i]!]]))).toEqual({
      FirstName: "EXACT",
      LastName: "SIMILAR",
      EmailAddress: "EXACT",
      PhoneNumber: "EXACT",
      BirthDate: "MISSING",
      Address: "MISSING",
    });
    // A value the caller calls shared agrees at its own, weaker level.
    expect(compareRecords(a, b, (kind) => kind === "email")[2]).toBe(1);
    expect(unpackComparison(packComparison(c))).toEqual(c);
  });

  it("EM recovers m, u and λ from unlabelled comparison vectors, and its scores mean what they say", () => {
    // Vectors drawn from a known model: 20 % matches; each field agrees (level 0) with m among matches, u among the rest.
    const rnd = random(7);
    const m = [0.95, 0.9, 0.85, 0.8, 0.9, 0.7];
    const u = [0.05, 0.1, 0.02, 0.03, 0.01, 0.02];
    const patterns = new Map<number, number>();
    const truth = new Map<number, { matches: number; all: number }>();
    for (let i = 0; i < 20_000; i++) {
      const match = rnd() < 0.2;
      const c = FIELDS.map((f, k) => {
        const agree = rnd() < (match ? m[k]! : u[k]!);
        return agree ? 0 : LEVELS[f].length - 1;
      });
      const code = packComparison(c);
      patterns.set(code, (patterns.get(code) ?? 0) + 1);
      const t = truth.get(code) ?? { matches: 0, all: 0 };
      t.all++;
      if (match) t.matches++;
      truth.set(code, t);
    }
    const model = estimateModel(patterns);
    expect(model.lambda).toBeCloseTo(0.2, 1);
    for (const [k] of FIELDS.entries()) {
      expect(Math.abs(model.m[k]![0]! - m[k]!)).toBeLessThan(0.05);
      expect(Math.abs(model.u[k]![0]! - u[k]!)).toBeLessThan(0.03);
    }
    // Calibration: among the pairs scored in a band, the share of matches falls in that band.
    const bands = [
      [0, 0.1],
      [0.1, 0.9],
      [0.9, 1.01],
    ] as const;
    for (const [from, to] of bands) {
      let expected = 0;
      let actual = 0;
      let n = 0;
      for (const [code, t] of truth) {
        const s = scoreComparison(model, unpackComparison(code));
        if (s < from || s >= to) continue;
        expected += s * t.all;
        actual += t.matches;
        n += t.all;
      }
      if (n > 100) expect(Math.abs(actual / n - expected / n)).toBeLessThan(0.05);
    }
  });

  it("blocks: a value held by more records than the cap is never compared within its block", async () => {
    const records: LinkageRecord[] = [];
    for (let i = 0; i <= MAX_BLOCK_SIZE; i++)
      records.push({ id: `p${i}`, emails: ["none@none.example"], phones: [], addresses: [] });
    const linkage = await linkRecords(records, () => false, { minScore: 0 });
    expect(linkage?.candidates).toBe(0);
    const few = await linkRecords(records.slice(0, 3), () => false, { minScore: 0 });
    expect(few?.candidates).toBe(3);
  });
});
