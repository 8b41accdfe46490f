import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase, SAFETY_NET_PAGES } from "../../src/db/database.ts";

/**
 * SQLite's WAL checkpointed on a worker thread (WalCheckpointer): the writer's commits no longer copy
 * the WAL into the file themselves (their automatic threshold is only a safety net), yet the file
 * receives what was committed, without anyone asking.
 */
describe("the WAL checkpointed in the background", () => {
  const opened: { handle: DatabaseHandle; dir: string }[] = [];
  afterEach(async () => {
    for (const { handle, dir } of opened.splice(0)) {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const open = async (checkpointInBackground: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), "pf-wal-"));
    const sqliteFile = join(dir, "test.db");
    const handle = await openDatabase({ sqliteFile, checkpointInBackground });
    opened.push({ handle, dir });
    await sql`create table blobs (id integer primary key, body text not null)`.execute(handle.db);
    return { handle, sqliteFile };
  };

  /** ~3 MB of rows in one transaction: far below the writer's own threshold, so it does not checkpoint. */
  const write3Mb = (handle: DatabaseHandle) =>
    handle.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 30; i++) {
        await sql`insert into blobs (body) values (${"x".repeat(100_000)})`.execute(tx);
      }
    });

  it("copies committed pages into the file on its own; the writer's threshold is the safety net", async () => {
    const { handle, sqliteFile } = await open(true);
    expect(handle.checkpointer).toBeDefined();
    expect(handle.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(SAFETY_NET_PAGES);
    await write3Mb(handle);
    await expect.poll(() => statSync(sqliteFile).size, { timeout: 5_000, interval: 50 }).toBeGreaterThan(3e6);
    // Nothing is left to copy, and what was written reads back.
    const r = await handle.checkpointer!.checkpoint();
    expect(r).toMatchObject({ busy: 0 });
    expect(r!.checkpointed).toBe(r!.log);
    const n = await sql<{ n: number }>`select count(*) as n from blobs`.execute(handle.db);
    expect(Number(n.rows[0]!.n)).toBe(30);
  });

  it("without it (the default) the file does not receive the pages until the WAL's threshold", async () => {
    const { handle, sqliteFile } = await open(false);
    expect(handle.checkpointer).toBeUndefined();
    expect(handle.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(16_384);
    await write3Mb(handle);
    await new Promise((r) => setTimeout(r, 600));
    expect(statSync(sqliteFile).size).toBeLessThan(1e6);
  });

  it("closes: the worker's connection ends, and the data is all in the file after the writer closes", async () => {
    const { handle, sqliteFile } = await open(true);
    await write3Mb(handle);
    await handle.close();
    opened.pop();
    expect(await handle.checkpointer!.checkpoint()).toBeUndefined();
    const again = await openDatabase({ sqliteFile });
    const n = await sql<{ n: number }>`select count(*) as n from blobs`.execute(again.db);
    expect(Number(n.rows[0]!.n)).toBe(30);
    await again.close();
    rmSync(join(sqliteFile, ".."), { recursive: true, force: true });
  });
});
