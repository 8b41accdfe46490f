import type { Kysely, SqliteDatabase } from "kysely";

/** The SQLite connection behind each Kysely instance, by the dialect adapter its transactions share. */
const connections = new WeakMap<object, SqliteDatabase>();
/** Kysely instances that hold their database's connection without being a Transaction (`db.connection()`). */
const holders = new WeakSet<object>();

/**
 * Remembers `connection` as the one connection of the SQLite database `db` (openDatabase): inside a
 * transaction of `db` a hot statement may then run on it directly (heldSqliteConnection).
 */
export function registerSqliteConnection(db: Kysely<any>, connection: SqliteDatabase): void {
  connections.set(db.getExecutor().adapter, connection);
}

/**
 * Marks `conn` (from `db.connection().execute`, which holds the one connection for its callback, as
 * inDomainTransaction does around its own BEGIN … COMMIT) as holding it, like a transaction.
 */
export function markConnectionHeld(conn: Kysely<any>): void {
  holders.add(conn);
}

/**
 * The SQLite connection `q` holds, when `q` is a transaction of a registered database (or marked by
 * markConnectionHeld); otherwise undefined. A SQLite database has one connection and its transaction holds it (Kysely's connection
 * mutex) until it ends, so a statement run on the connection directly from inside the transaction's
 * callback runs in that transaction, as one run through `q` would, minus Kysely's executor (its
 * promise chain and connection provider: ~20 KB of garbage per search, docs/benchmarks.md). Kysely
 * gives a transaction the adapter of the database it began on (dialectOf relies on the same).
 */
export function heldSqliteConnection(q: Kysely<any>): SqliteDatabase | undefined {
  return q.isTransaction || holders.has(q) ? connections.get(q.getExecutor().adapter) : undefined;
}
