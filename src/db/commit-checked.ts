import type pg from "pg";
import { ProfileflowError } from "../core/errors.ts";

const COMMIT = /^\s*(commit|end)(\s+(work|transaction))?\s*;?\s*$/i;

/**
 * Makes every COMMIT sent through this pool's clients fail when PostgreSQL rolled the transaction back
 * instead. PostgreSQL answers COMMIT in a failed transaction (a statement errored, and the error was
 * caught and not rethrown) with the command tag ROLLBACK and no error: Kysely's transactions and ours
 * would then resolve as if everything was stored, and the caller would answer success for writes that
 * are gone. The check reads the tag of the answer, so it costs no round trip.
 */
export function checkCommits(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      // Only the promise form with the statement as text: Kysely's, and ours through it.
      if (typeof args[0] !== "string" || !COMMIT.test(args[0]) || !isPromise(result)) return result;
      return result.then((r) => {
        if ((r as pg.QueryResult | undefined)?.command === "ROLLBACK") throw rolledBack();
        return r;
      });
    };
  });
}

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

function rolledBack(): ProfileflowError {
  return new ProfileflowError(
    "INTERNAL",
    "PostgreSQL rolled the transaction back at COMMIT: one of its statements had failed and its error was caught without ending the transaction. Nothing of it was stored.",
  );
}
