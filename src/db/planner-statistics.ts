import { type Kysely, sql } from "kysely";
import { dialectOf } from "./dialect.ts";
import type { Database } from "./schema.ts";

/**
 * Refreshes PostgreSQL's statistics of `tables` (ANALYZE samples a fixed number of rows: a fraction of
 * a second whatever the size); nothing on SQLite, whose planner walks the primary key for an ordered
 * keyset page without statistics. Before a long paged read of tables a backfill has just filled:
 * until autovacuum analyzes them, PostgreSQL believes them nearly empty and plans `where id > $after
 * order by id limit n` as a bitmap scan of every row after the cursor, then a sort — each page then
 * reads the rest of the table, and the whole read grows with the square of its size.
 */
export async function refreshPlannerStatistics(
  db: Kysely<Database>,
  tables: readonly (keyof Database)[],
): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
}
