import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

describeEachDialect("an idle PostgreSQL connection terminated under the pool", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => db?.destroy());

  it.runIf(dialect === "postgres")(
    "is discarded without an unhandled error, and the next query works",
    async () => {
      await sql`select 1`.execute(db.db);
      const pool = db.pool!;
      expect(pool.idleCount).toBeGreaterThan(0);
      const admin = new pg.Client({ connectionString: db.location.databaseUrl });
      await admin.connect();
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      );
      await admin.end();
      await expect.poll(() => pool.totalCount).toBe(0);
      const r = await sql<{ one: number }>`select 1 as one`.execute(db.db);
      expect(r.rows[0]?.one).toBe(1);
    },
  );
});
