import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.ts";
import { emptyWal } from "../../src/db/empty-wal.ts";

const open: DatabaseHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Another connection, on a thread of its own, in the middle of a RESTART checkpoint: it has copied the log
 * and holds the checkpoint lock (and the write lock: nothing may be written meanwhile) while it waits for
 * the reader to leave the log. `ended` resolves with its result row.
 */
function checkpointHeldBy(file: string): { ended: Promise<string> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const SQLite = require(workerData.driver);
     const db = new SQLite(workerData.file);
     db.pragma("busy_timeout = 5000");
     const r = db.pragma("wal_checkpoint(RESTART)")[0];
     db.close();
     parentPort.postMessage(JSON.stringify(r));`,
    { eval: true, workerData: { file, driver: require.resolve("better-sqlite3") } },
  );
  return { ended: new Promise((resolve) => worker.once("message", resolve)) };
}

describe("emptyWal", () => {
  it("waits out another connection's checkpoint and then empties the log; alone it empties it at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-empty-wal-"));
    dirs.push(dir);
    const file = join(dir, "profileflow.db");
    const h = await openDatabase({ sqliteFile: file });
    open.push(h);
    const sqlite = h.sqlite!;
    sqlite.exec("create table t (x blob)");
    const insert = sqlite.prepare("insert into t values (randomblob(3000))");
    for (let i = 0; i < 200; i++) insert.run();
    // A reader on the log keeps the other connection's RESTART waiting, with the checkpoint lock held.
    const reader = new SQLite(file);
    reader.exec("begin");
    reader.prepare("select count(*) from t").get();
    const other = checkpointHeldBy(file);
    // Until the other connection holds the lock, a checkpoint here is not busy.
    const busy = () => (sqlite.pragma("wal_checkpoint(PASSIVE)") as { busy: number }[])[0]!.busy;
    const until = Date.now() + 5_000;
    while (busy() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(busy(), "the other connection holds the checkpoint lock").toBe(1);
    const release = setTimeout(() => reader.exec("commit"), 150);
    const started = Date.now();
    try {
      await emptyWal(h.db);
    } finally {
      clearTimeout(release);
      if (reader.inTransaction) reader.exec("commit");
      reader.close();
    }
    expect(Date.now() - started, "it tried again until the other checkpoint ended").toBeGreaterThanOrEqual(
      100,
    );
    expect(JSON.parse(await other.ended)).toMatchObject({ busy: 0 });
    expect(statSync(`${file}-wal`).size).toBe(0);
    expect(sqlite.prepare("select count(*) as n from t").get()).toEqual({ n: 200 });
    // Alone: at once.
    for (let i = 0; i < 20; i++) insert.run();
    await emptyWal(h.db);
    expect(statSync(`${file}-wal`).size).toBe(0);
  });

  it("fails with the reason once the other connection keeps the log busy past the timeout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-empty-wal-"));
    dirs.push(dir);
    const file = join(dir, "profileflow.db");
    const h = await openDatabase({ sqliteFile: file });
    open.push(h);
    h.sqlite!.exec("create table t (x); insert into t values (1)");
    const reader = new SQLite(file);
    reader.exec("begin");
    reader.prepare("select count(*) from t").get();
    const other = checkpointHeldBy(file);
    try {
      const until = Date.now() + 5_000;
      const busy = () => (h.sqlite!.pragma("wal_checkpoint(PASSIVE)") as { busy: number }[])[0]!.busy;
      while (busy() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      await expect(emptyWal(h.db, 200)).rejects.toThrow(
        "the WAL could not be emptied: another connection kept it busy for 200 ms",
      );
    } finally {
      reader.exec("commit");
      reader.close();
      await other.ended;
    }
  });
});
