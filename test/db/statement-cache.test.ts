import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { cachedStatements } from "../../src/db/statement-cache.ts";

describe("cachedStatements", () => {
  let raw: SQLite.Database;
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it("prepares a SQL text once and hands the same statement out again", () => {
    raw = new SQLite(":memory:");
    const db = cachedStatements(raw);
    expect(db.prepare("select 1 as one")).toBe(db.prepare("select 1 as one"));
    expect(db.prepare("select 2 as two")).not.toBe(db.prepare("select 1 as one"));
  });

  it("gives a fresh statement while the kept one is still being iterated", () => {
    raw = new SQLite(":memory:");
    const db = cachedStatements(raw);
    const first = db.prepare("select value from json_each('[1,2,3]')");
    const iterating = first.iterate([]);
    iterating.next();
    const second = db.prepare("select value from json_each('[1,2,3]')");
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
    iterating.return?.();
  });

  it("drops the least recently used statement past its size", () => {
    raw = new SQLite(":memory:");
    const db = cachedStatements(raw, 2);
    const a = db.prepare("select 1");
    db.prepare("select 2");
    expect(db.prepare("select 1")).toBe(a);
    db.prepare("select 3");
    expect(db.prepare("select 1")).toBe(a);
    expect(db.prepare("select 2")).not.toBe(undefined);
  });

  it("through Kysely, a kept statement sees the schema as it is now", async () => {
    raw = new SQLite(":memory:");
    const k = new Kysely<Record<string, Record<string, unknown>>>({
      dialect: new SqliteDialect({ database: cachedStatements(raw) }),
    });
    await sql`create table t (a integer)`.execute(k);
    await sql`insert into t (a) values (1)`.execute(k);
    expect((await sql`select * from t`.execute(k)).rows).toEqual([{ a: 1 }]);
    await sql`alter table t add column b text default 'x'`.execute(k);
    expect((await sql`select * from t`.execute(k)).rows).toEqual([{ a: 1, b: "x" }]);
    await k.destroy();
    expect(raw.open).toBe(false);
  });
});
