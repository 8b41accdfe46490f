import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertMany, inValues, jsonChunks, MAX_JSON_CHARS } from "../../src/profiles/bulk.ts";
import { plainBoxes } from "../../src/profiles/domain-sealer.ts";
import { objectFieldsColumn } from "../../src/profiles/leaves-columns.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const object = (key: string, payload: string, ts: number | null = 1) => ({
  domain_name: "d",
  object_type_name: "T",
  object_key: key,
  profile_id: `p-${key}`,
  payload,
  fields: objectFieldsColumn.seal(plainBoxes, { FirstName: payload }),
  source_timestamp: ts,
  priority: null,
  updated_at: 5,
});

const UPSERT = {
  columns: ["domain_name", "object_type_name", "object_key"],
  update: ["payload", "fields", "source_timestamp"],
};

describeEachDialect("bulk statements", (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
  });
  afterAll(async () => t?.destroy());

  const stored = (keys: string[]) =>
    t.db
      .selectFrom("profile_objects")
      .select(["object_key", "payload", "fields", "source_timestamp", "priority"])
      .where("domain_name", "=", "d")
      .where(inValues(dialect, "object_key", keys))
      .orderBy("object_key")
      .execute();

  it("inserts rows through one JSON parameter with types, nulls, quotes and non-ASCII intact", async () => {
    const payloads = ['{"a":"x\\"y"}', "Zoë — 東京 😀", "line\nbreak\ttab \\ back", ""];
    await insertMany(
      t.db,
      dialect,
      "profile_objects",
      payloads.map((p, i) => object(`k${i}`, p, i === 3 ? null : 1_700_000_000_000 + i)),
    );
    const rows = await stored(["k0", "k1", "k2", "k3", "absent"]);
    expect(rows.map((r) => r.payload)).toEqual(payloads);
    expect(rows.map((r) => JSON.parse(r.fields).FirstName)).toEqual(payloads);
    expect(rows.map((r) => r.source_timestamp)).toEqual([
      1_700_000_000_000,
      1_700_000_000_001,
      1_700_000_000_002,
      null,
    ]);
    expect(rows.every((r) => r.priority === null)).toBe(true);
  });

  it("inserts more rows than one JSON part holds in several statements, all of them intact", async () => {
    const big = "é".repeat(4_000);
    const keys = Array.from({ length: 600 }, (_, i) => `big${String(i).padStart(3, "0")}`);
    const rows = keys.map((k) => object(k, `${k}:${big}`));
    let statements = 0;
    const counted = t.db.withPlugin({
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await insertMany(counted, dialect, "profile_objects", rows);
    // 600 rows of ~8,300 characters (the payload, and again in the fields): ~5 M characters, in parts of
    // at most 1 M (MAX_JSON_CHARS).
    expect(statements).toBe(5);
    const back = await stored(keys);
    expect(back.map((r) => r.object_key)).toEqual(keys);
    expect(back.every((r, i) => r.payload === `${keys[i]}:${big}`)).toBe(true);
  });

  it("upserts: conflicting rows take the listed columns of the new row", async () => {
    await insertMany(
      t.db,
      dialect,
      "profile_objects",
      [object("k0", "replaced", 42), object("k9", "new", 7)],
      UPSERT,
    );
    const rows = await stored(["k0", "k9"]);
    expect(rows.map((r) => [r.object_key, r.payload, r.source_timestamp])).toEqual([
      ["k0", "replaced", 42],
      ["k9", "new", 7],
    ]);
  });

  it("stores a string with a lone surrogate as a bound parameter would (the JSON path cannot carry it)", async () => {
    const broken = `half ${"\ud83d"} of an emoji`;
    await insertMany(t.db, dialect, "profile_objects", [object("s1", broken), object("s2", "fine")]);
    await t.db.insertInto("profile_objects").values(object("s3", broken)).execute();
    const rows = await stored(["s1", "s2", "s3"]);
    expect(rows.map((r) => r.object_key)).toEqual(["s1", "s2", "s3"]);
    expect(rows[1]?.payload).toBe("fine");
    expect(rows[0]?.payload).toContain("\ufffd");
    expect(rows[0]?.payload).toBe(rows[2]?.payload);
  });

  it("inValues matches thousands of values with one parameter", async () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}`);
    const rows = await stored(keys);
    expect(rows.map((r) => r.object_key)).toEqual(["k0", "k1", "k2", "k3", "k9"]);
  });
});

describe("jsonChunks", () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ i, s: "x".repeat(i * 3) }));

  it("splits into arrays near maxChars that together are the rows' JSON, shaped", () => {
    const even = Array.from({ length: 100 }, (_, i) => ({ i: i + 100, s: "x".repeat(30) }));
    const parts = [...jsonChunks(even, (r) => [r.i, r.s], 400)];
    expect(parts.length).toBeGreaterThanOrEqual(10);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(400);
    expect(parts.flatMap((p) => JSON.parse(p))).toEqual(even.map((r) => [r.i, r.s]));
  });

  it("follows rows that grow: each part within the bound, and a row longer than it is a part of its own", () => {
    const parts = [...jsonChunks(rows, (r) => r, 400)];
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(400);
    expect(parts.flatMap((p) => JSON.parse(p))).toEqual(rows);
    const big = [...jsonChunks([{ a: 1 }, { a: "y".repeat(500) }, { a: 2 }], (r) => r, 100)];
    expect(big.flatMap((p) => JSON.parse(p))).toEqual([{ a: 1 }, { a: "y".repeat(500) }, { a: 2 }]);
    expect(big.map((p) => JSON.parse(p).length)).toEqual([1, 1, 1]);
    expect([...jsonChunks([], (r) => r)]).toEqual([]);
    expect(MAX_JSON_CHARS).toBe(1 << 20);
  });

  it("counts JSON escapes: rows of quotes, backslashes and control characters stay within the bound", () => {
    const nasty = Array.from({ length: 60 }, (_, i) => ({
      k: i,
      q: '"'.repeat(i),
      b: "\\".repeat(i % 7),
      c: "\u0001\n".repeat(i % 5),
      'na"me': "é",
    }));
    const parts = [...jsonChunks(nasty, (r) => r, 300)];
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(300);
    expect(parts.flatMap((p) => JSON.parse(p))).toEqual(nasty);
  });
});
