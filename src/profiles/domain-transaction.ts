import { AbortedTransactionError, type Kysely, sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Database } from "../db/schema.ts";

// First key of the two-int advisory lock: a namespace so our locks never collide with other users'.
const LOCK_NAMESPACE = 0x70667072; // "pfpr"

/** Where inDomainTransaction failed, for errors thrown outside `fn` (see transactionFailure). */
const failures = new WeakMap<object, "begin" | "commit">();

/**
 * Where an error of inDomainTransaction came from, when not from `fn`:
 * - `begin`: before `fn` ran (no connection, BEGIN refused — SQLite's lock still busy after its timeout
 *   —, the domain's lock not taken): nothing was written, and the same would happen to anything else;
 * - `commit`: at COMMIT (a dropped connection, a failed flush): whether the writes were kept is
 *   unknown, so they must not be made again as if they were not.
 */
export function transactionFailure(e: unknown): "begin" | "commit" | undefined {
  return typeof e === "object" && e !== null ? failures.get(e) : undefined;
}

function mark(e: unknown, stage: "begin" | "commit"): void {
  if (typeof e === "object" && e !== null && !failures.has(e)) failures.set(e, stage);
}

/**
 * Runs `fn` in a transaction that holds the domain's write lock, so identity resolution of one
 * domain is serialized and its outcome does not depend on how writers interleave. SQLite: the one
 * connection is held (Kysely's connection mutex) and `BEGIN IMMEDIATE` takes the database write lock
 * up front (other processes wait on busy_timeout instead of failing to upgrade). PostgreSQL:
 * `pg_advisory_xact_lock` on the domain's hash, released at commit or rollback.
 */
export async function inDomainTransaction<T>(
  db: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  let began = false;
  return db
    .connection()
    .execute(async (conn) => {
      await sql.raw(dialect === "sqlite" ? "begin immediate" : "begin").execute(conn);
      try {
        if (dialect === "postgres") {
          await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${domainName}))`.execute(conn);
        }
        began = true;
        const result = await fn(conn);
        let committed: { rows: unknown[] };
        try {
          committed = await sql.raw("commit").execute(conn);
        } catch (e) {
          mark(e, "commit");
          throw e;
        }
        // PostgreSQL answers COMMIT in a transaction an earlier statement error aborted (the error caught
        // and dropped) with the tag ROLLBACK and no error: nothing was kept, so this must not resolve.
        // Kysely's own transactions check the same (AbortedTransactionError); this raw COMMIT did not.
        // Not marked "commit": the outcome is known, nothing was stored, so the work may be done again.
        if ((committed.rows[0] as { command?: unknown } | undefined)?.command === "ROLLBACK") {
          throw new AbortedTransactionError();
        }
        return result;
      } catch (e) {
        await sql
          .raw("rollback")
          .execute(conn)
          .catch(() => {});
        throw e;
      }
    })
    .catch((e: unknown) => {
      if (!began) mark(e, "begin");
      throw e;
    });
}

/**
 * Takes the domain's write lock inside a transaction someone else opened (the flows engine commits a
 * page and its checkpoint together). PostgreSQL: the same advisory lock as inDomainTransaction.
 * SQLite: the caller's transaction already holds the only connection and the database write lock.
 */
export async function lockDomainIn(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
): Promise<void> {
  if (dialect === "postgres") {
    await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${domainName}))`.execute(trx);
  }
}
