import type SQLite from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

/**
 * better-sqlite3 as Kysely's SQLite database, with each SQL text prepared once and kept (least recently
 * used dropped past `max`): Kysely prepares every query it runs, which was the largest single cost of a
 * SearchProfiles request (docs/benchmarks.md, "SearchProfiles over HTTP"). A statement still being
 * iterated (a streamed query) is never handed out twice: the same text then gets a fresh one.
 */
export function cachedStatements(db: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sql) => {
      const kept = cache.get(sql);
      if (kept?.busy) return db.prepare(sql);
      if (kept) {
        cache.delete(sql);
        cache.set(sql, kept);
        return kept;
      }
      const made = db.prepare(sql);
      cache.set(sql, made);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return made;
    },
  };
}
