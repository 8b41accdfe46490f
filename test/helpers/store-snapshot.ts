import { sql } from "kysely";
import type { DatabaseHandle } from "../../src/db/database.ts";

/** Tables that change on every run regardless of the operation under test. */
const VOLATILE = new Set(["kysely_migration", "kysely_migration_lock"]);

/**
 * Every row of every table of our schema, each table's rows sorted by their JSON text: two snapshots
 * are equal exactly when the stored state is equal. Fault-injection tests take one before an operation
 * whose step was made to fail and one after, and expect them equal (the operation was one transaction).
 */
export async function snapshotStore(
  handle: Pick<DatabaseHandle, "db" | "dialect">,
): Promise<Record<string, string[]>> {
  const names =
    handle.dialect === "sqlite"
      ? (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
            handle.db,
          )
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
            handle.db,
          )
        ).rows.map((r) => r.name);
  const out: Record<string, string[]> = {};
  for (const name of names.filter((n) => !VOLATILE.has(n)).sort()) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(handle.db))
      .rows;
    out[name] = rows
      .map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
      .sort();
  }
  return out;
}

/** The error a `failOn` proxy throws, so a test can tell an injected fault from a real one. */
export class InjectedFault extends Error {
  constructor(readonly method: string) {
    super(`injected fault in ${method}`);
  }
}

/**
 * A proxy of `target` whose `method` throws InjectedFault on its `nth` call (1 = the first), every other
 * member passing through. Use it to make one step of a multi-step operation fail.
 */
export function failOn<T extends object>(target: T, method: keyof T & string, nth = 1): T {
  let calls = 0;
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (prop !== method || typeof value !== "function")
        return typeof value === "function" ? value.bind(t) : value;
      return (...args: unknown[]) => {
        calls += 1;
        if (calls === nth) throw new InjectedFault(method);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}
