import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompiledOnce } from "../../src/db/compiled-once.ts";
import { encodeValues, inEncodedValues } from "../../src/profiles/bulk.ts";
import {
  describeEachDialect,
  openTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from "../helpers/test-database.ts";

describeEachDialect("CompiledOnce: a statement compiled once, run with each call's parameters", (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    await t.db
      .insertInto("profile_keys")
      .values(
        [
          ["d1", "p1", "_email", "a@x"],
          ["d1", "p2", "_email", "b@x"],
          ["d1", "p3", "_phone", "a@x"],
          ["d2", "p4", "_email", "a@x"],
        ].map(([domain_name, profile_id, key_name, key_value]) => ({
          domain_name: domain_name!,
          profile_id: profile_id!,
          key_name: key_name!,
          key_value: key_value!,
          object_type_name: "T",
          object_key: `${profile_id}-${key_name}`,
          origin: "object" as const,
        })),
      )
      .execute();
  });
  afterAll(async () => t?.destroy());

  // The parameters are placed in the SQL in another order than the call gives them: values, key, domain.
  const lookup = () =>
    new CompiledOnce<{ profile_id: string }>(3, (q, [domain, keyName, values]) =>
      q
        .selectFrom("profile_keys")
        .select("profile_id")
        .where(inEncodedValues(dialect, "key_value", values))
        .where("key_name", "=", keyName as string)
        .where("domain_name", "=", domain as string)
        .orderBy("profile_id"),
    );
  const ids = (rows: { profile_id: string }[]) => rows.map((r) => r.profile_id);

  it("gives each call its own parameters, in the places the build put them, inside a transaction too", async () => {
    const q = lookup();
    expect(ids(await q.execute(t.db, ["d1", "_email", encodeValues(dialect, ["a@x", "b@x"])]))).toEqual([
      "p1",
      "p2",
    ]);
    expect(ids(await q.execute(t.db, ["d1", "_phone", encodeValues(dialect, ["a@x"])]))).toEqual(["p3"]);
    expect(ids(await q.execute(t.db, ["d2", "_email", encodeValues(dialect, ["a@x", "zz"])]))).toEqual([
      "p4",
    ]);
    expect(ids(await q.execute(t.db, ["d1", "_email", encodeValues(dialect, [])]))).toEqual([]);
    const inTx = await t.db
      .transaction()
      .execute(async (tx) => q.execute(tx, ["d1", "_email", encodeValues(dialect, ["b@x"])]));
    expect(ids(inTx)).toEqual(["p2"]);
  });

  it("refuses a build that does not place each parameter exactly once, and a call with another number of them", async () => {
    const twice = new CompiledOnce<{ n: number }>(1, (q, [v]) =>
      q.selectNoFrom(sql<number>`${v} = ${v}`.as("n")),
    );
    await expect(twice.execute(t.db, ["x"])).rejects.toThrow(/must use each of its 1 parameters once/);
    const unused = new CompiledOnce<{ n: number }>(2, (q, [v]) => q.selectNoFrom(sql<number>`${v}`.as("n")));
    await expect(unused.execute(t.db, ["x", "y"])).rejects.toThrow(/must use each of its 2 parameters once/);
    await expect(lookup().execute(t.db, ["d1", "_email"])).rejects.toThrow(/expected 3 parameters, got 2/);
  });
});

// Module-level statements (the domain's row, its data key, its key types) are one instance for the
// process, which may hold a SQLite and a PostgreSQL database at once: each gets SQL of its own dialect.
describe.skipIf(!postgresAvailable)("CompiledOnce: one instance on both dialects", () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  beforeAll(async () => {
    sqlite = await openTestDatabase("sqlite");
    postgres = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await sqlite?.destroy();
    await postgres?.destroy();
  });

  it("compiles for each database's dialect, whichever ran first", async () => {
    // SQLite's placeholder is `?`, PostgreSQL's `$1`: the SQL compiled for one fails on the other.
    const echo = new CompiledOnce<{ v: string }>(1, (q, [v]) => q.selectNoFrom(sql<string>`${v}`.as("v")));
    expect(await echo.first(sqlite.db, ["a"])).toEqual({ v: "a" });
    expect(await echo.first(postgres.db, ["b"])).toEqual({ v: "b" });
    expect(await echo.first(sqlite.db, ["c"])).toEqual({ v: "c" });
    const none = new CompiledOnce<{ v: string }>(1, (q, [v]) =>
      q.selectNoFrom(sql<string>`${v}`.as("v")).where(sql<boolean>`1 = 0`),
    );
    expect(await none.first(postgres.db, ["x"])).toBeUndefined();
  });
});
