import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";

/**
 * SQLite: copies the whole WAL into the file and truncates it to nothing (a TRUNCATE checkpoint). While
 * another connection checkpoints (the server's checkpoint thread, src/db/wal-checkpointer.ts), a
 * checkpoint answers busy at once, with no error: this tries again every 20 ms until one empties the log,
 * and fails after `timeoutMs`.
 */
export async function emptyWal(db: Kysely<Database>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(truncate)`.execute(db);
    if (rows[0]?.busy === 0) return;
    if (Date.now() > until) {
      throw new Error(`the WAL could not be emptied: another connection kept it busy for ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
