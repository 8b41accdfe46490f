import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CompiledOnce } from "../../src/db/compiled-once.ts";
import { heldSqliteConnection } from "../../src/db/direct-sqlite.ts";
import { inDomainTransaction } from "../../src/profiles/domain-transaction.ts";
import { openTestDatabase, postgresAvailable, type TestDatabase } from "../helpers/test-database.ts";

const keyRow = (profile: string, value: string) => ({
  domain_name: "d1",
  profile_id: profile,
  key_name: "_email",
  key_value: value,
  object_type_name: "T",
  object_key: `${profile}-${value}`,
  origin: "object" as const,
});

// A hot read and a write, each compiled once.
const holdersOf = new CompiledOnce(1, (q, [value]) =>
  q
    .selectFrom("profile_keys")
    .select("profile_id")
    .where("key_value", "=", value as string)
    .orderBy("profile_id"),
);
const insertKey = new CompiledOnce(3, (q, [profile, value, objectKey]) =>
  q.insertInto("profile_keys").values({
    domain_name: sql.lit("d1"),
    profile_id: profile as string,
    key_name: sql.lit("_email"),
    key_value: value as string,
    object_type_name: sql.lit("T"),
    object_key: objectKey as string,
    origin: sql.lit("object"),
  }),
);

describe("compiled-once statements inside a SQLite transaction run on the connection it holds", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("sqlite");
    await t.db.insertInto("profile_keys").values(keyRow("p1", "a@x")).execute();
  });
  afterAll(async () => t?.destroy());

  it("a transaction and a connection inDomainTransaction holds skip Kysely's executor; the database outside them does not", async () => {
    expect(heldSqliteConnection(t.db)).toBeUndefined();
    const outside = vi.spyOn(t.db, "executeQuery");
    expect(await holdersOf.execute(t.db, ["a@x"])).toEqual([{ profile_id: "p1" }]);
    expect(outside).toHaveBeenCalledTimes(1);
    outside.mockRestore();

    await t.db.transaction().execute(async (tx) => {
      expect(heldSqliteConnection(tx)).toBeDefined();
      const executor = vi.spyOn(tx, "executeQuery");
      expect(await holdersOf.execute(tx, ["a@x"])).toEqual([{ profile_id: "p1" }]);
      expect(executor).not.toHaveBeenCalled();
    });
    await inDomainTransaction(t.db, "sqlite", "d1", async (conn) => {
      expect(conn.isTransaction).toBe(false);
      expect(heldSqliteConnection(conn)).toBeDefined();
      const executor = vi.spyOn(conn, "executeQuery");
      expect(await holdersOf.execute(conn, ["a@x"])).toEqual([{ profile_id: "p1" }]);
      expect(executor).not.toHaveBeenCalled();
    });
    // Once they end, nothing is held: the database's own queries go through Kysely again.
    expect(heldSqliteConnection(t.db)).toBeUndefined();
  });

  it("sees the transaction's own writes, in order, and its writes are rolled back with it", async () => {
    const failed = t.db.transaction().execute(async (tx) => {
      await tx.insertInto("profile_keys").values(keyRow("p2", "a@x")).execute();
      expect(await holdersOf.execute(tx, ["a@x"])).toEqual([{ profile_id: "p1" }, { profile_id: "p2" }]);
      expect(await insertKey.execute(tx, ["p3", "a@x", "p3-a@x"])).toEqual([]);
      const viaKysely = await tx
        .selectFrom("profile_keys")
        .select("profile_id")
        .where("key_value", "=", "a@x")
        .orderBy("profile_id")
        .execute();
      expect(viaKysely.map((r) => r.profile_id)).toEqual(["p1", "p2", "p3"]);
      throw new Error("roll back");
    });
    await expect(failed).rejects.toThrow("roll back");
    expect(await holdersOf.execute(t.db, ["a@x"])).toEqual([{ profile_id: "p1" }]);
    // Committed, the direct write stays.
    await t.db.transaction().execute((tx) => insertKey.execute(tx, ["p4", "a@x", "p4-a@x"]));
    expect(await holdersOf.execute(t.db, ["a@x"])).toEqual([{ profile_id: "p1" }, { profile_id: "p4" }]);
  });
});

describe.skipIf(!postgresAvailable)("on PostgreSQL nothing is run directly", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
  });
  afterAll(async () => t?.destroy());

  it("has no held SQLite connection in a transaction", async () => {
    await t.db.transaction().execute(async (tx) => {
      expect(heldSqliteConnection(tx)).toBeUndefined();
      expect(await sql<{ one: number }>`select 1 as one`.execute(tx)).toMatchObject({ rows: [{ one: 1 }] });
    });
  });
});
