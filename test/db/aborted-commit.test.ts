import { isAbortedTransactionError, sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inDomainTransaction, transactionFailure } from "../../src/profiles/domain-transaction.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/**
 * A statement error caught inside a transaction: PostgreSQL aborts the transaction and answers the
 * COMMIT with ROLLBACK and no error; SQLite undoes that one statement only and commits the rest.
 * Kysely's transactions turn PostgreSQL's silent rollback into AbortedTransactionError, and so does
 * inDomainTransaction's own COMMIT (src/profiles/domain-transaction.ts).
 */
describeEachDialect("a COMMIT after a caught statement error", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await sql`create table commit_probe (id integer primary key)`.execute(db.db);
  });
  afterAll(async () => db?.destroy());

  const ids = async () =>
    (await sql<{ id: number }>`select id from commit_probe order by id`.execute(db.db)).rows.map((r) =>
      Number(r.id),
    );

  /** Inserts `id`, then a duplicate of `taken` whose error is caught and dropped. */
  const insertAndSwallow = async (q: typeof db.db, id: number, taken: number) => {
    await sql`insert into commit_probe (id) values (${id})`.execute(q);
    await sql`insert into commit_probe (id) values (${taken})`.execute(q).catch(() => undefined);
  };

  it("commits a transaction whose statements all succeeded", async () => {
    await db.db.transaction().execute(async (tx) => {
      await sql`insert into commit_probe (id) values (1)`.execute(tx);
    });
    await inDomainTransaction(db.db, dialect, "d", async (tx) => {
      await sql`insert into commit_probe (id) values (2)`.execute(tx);
    });
    expect(await ids()).toEqual([1, 2]);
  });

  it("fails a Kysely transaction PostgreSQL rolled back at COMMIT (SQLite keeps the other writes)", async () => {
    const run = db.db.transaction().execute((tx) => insertAndSwallow(tx, 10, 1));
    if (dialect === "postgres") {
      const e = await run.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isAbortedTransactionError(e)).toBe(true);
      expect(await ids()).toEqual([1, 2]);
    } else {
      await run;
      expect(await ids()).toEqual([1, 2, 10]);
    }
  });

  it("fails inDomainTransaction at its COMMIT, not marked as a commit of unknown outcome", async () => {
    const run = inDomainTransaction(db.db, dialect, "d", (tx) => insertAndSwallow(tx, 20, 1));
    if (dialect === "postgres") {
      const e = await run.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isAbortedTransactionError(e)).toBe(true);
      // Known to be rolled back (nothing kept), unlike a COMMIT that failed: the work may be done again.
      expect(transactionFailure(e)).toBeUndefined();
      expect(await ids()).not.toContain(20);
    } else {
      await run;
      expect(await ids()).toContain(20);
    }
    // The connection went back to the pool usable.
    await db.db.transaction().execute(async (tx) => {
      await sql`insert into commit_probe (id) values (30)`.execute(tx);
    });
    expect(await ids()).toContain(30);
  });
});
