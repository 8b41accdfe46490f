import type { Insertable, Kysely } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";

// Bound parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: Record<DialectName, number> = { sqlite: 30_000, postgres: 60_000 };

/** Inserts rows with as few multi-row statements as the dialect's parameter limit allows. */
export async function insertMany<T extends keyof Database & string>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object).length;
  const size = Math.max(1, Math.floor(MAX_PARAMS[dialect] / cols));
  for (let i = 0; i < rows.length; i += size) {
    const part = rows.slice(i, i + size) as Insertable<Database[keyof Database]>[];
    // Kysely cannot narrow the insert type of a generic table name; the rows were typed by the caller.
    await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .insertInto(table)
      .values(part)
      .execute();
  }
}

/** Splits a list for `in (...)` clauses that stay under the parameter limit. */
export function chunks<T>(items: readonly T[], size = 5_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
