import { sql } from "kysely";
import { expect } from "vitest";
import type { DatabaseHandle } from "../../src/db/database.ts";

/**
 * Tables that change regardless of whether the operation under test changed the store: Kysely's own, and
 * the audit trail, which records every decision on a mutating call — refused or failed ones too, by design
 * (test/api/audit-events.test.ts checks what it records).
 */
const VOLATILE = new Set(["kysely_migration", "kysely_migration_lock", "audit_events"]);

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

/**
 * A proxy of `target` whose `method` runs and then throws InjectedFault on its `nth` call: a failure
 * right after a step's writes (failOn fails right before them).
 */
export function failAfter<T extends object>(target: T, method: keyof T & string, nth = 1): T {
  let calls = 0;
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(t);
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => unknown).apply(t, args);
        calls += 1;
        if (calls === nth) throw new InjectedFault(method);
        return result;
      };
    },
  });
}

/** One step of an operation made to fail: where, and the dependencies `D` to build the service with. */
export interface FaultStep<D> {
  readonly at: string;
  readonly deps: () => Partial<D>;
}

/**
 * The two faults around one step, before it runs (failOn) and right after its writes (failAfter):
 * together they cover every gap. `deps` builds the service's dependencies with one of them wrapped.
 */
export function faultsAround<D>(
  at: string,
  deps: (wrap: <T extends object>(t: T, m: keyof T & string) => T) => Partial<D>,
): FaultStep<D>[] {
  return [
    { at, deps: () => deps(failOn) },
    { at: `after ${at}`, deps: () => deps(failAfter) },
  ];
}

/** Runs `call`, which must fail with InjectedFault, and expects the store exactly as it was before it. */
export async function expectFaultLeavesStore(
  handle: Pick<DatabaseHandle, "db" | "dialect">,
  call: () => Promise<unknown>,
): Promise<void> {
  const before = await snapshotStore(handle);
  await expect(call()).rejects.toBeInstanceOf(InjectedFault);
  expect(await snapshotStore(handle)).toEqual(before);
}
