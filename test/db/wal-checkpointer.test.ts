import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.ts";
import { INLINE_CHECKPOINT_PAGES, WalCheckpointer } from "../../src/db/wal-checkpointer.ts";
import { composeServer } from "../../src/main.ts";

const open: DatabaseHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pf-ckpt-"));
  dirs.push(dir);
  return dir;
}

async function opened(sqliteCheckpoint?: "thread" | "inline"): Promise<{ h: DatabaseHandle; file: string }> {
  const file = join(tempDir(), "profileflow.db");
  const h = await openDatabase({ sqliteFile: file, sqliteCheckpoint });
  open.push(h);
  return { h, file };
}

const autocheckpoint = (sqlite: SQLite.Database) =>
  Number(sqlite.pragma("wal_autocheckpoint", { simple: true }));

/** Writes `pages` pages' worth of rows in one transaction on the handle's connection. */
function writePages(sqlite: SQLite.Database, pages: number): void {
  sqlite.exec("create table if not exists filler (id integer primary key, body blob not null)");
  const insert = sqlite.prepare("insert into filler (body) values (randomblob(3000))");
  sqlite.transaction(() => {
    for (let i = 0; i < pages; i++) insert.run();
  })();
}

async function eventually(check: () => boolean, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe("SQLite's WAL checkpoints on a thread (sqliteCheckpoint)", () => {
  it("'thread': the thread copies the WAL into the file; the connection's own threshold is 65,536 pages", async () => {
    const { h, file } = await opened("thread");
    const sqlite = h.sqlite!;
    expect(h.checkpointer?.running).toBe(true);
    expect(autocheckpoint(sqlite)).toBe(65_536);
    const before = statSync(file).size;
    // 2,000 pages: far below the connection's threshold, so only the thread can have put them in the file.
    writePages(sqlite, 2_000);
    expect(
      await eventually(() => statSync(file).size >= before + 2_000 * 3_000),
      "the database file grew by what was written",
    ).toBe(true);
    // Everything written reads back through the writing connection.
    expect(sqlite.prepare("select count(*) as n from filler").get()).toEqual({ n: 2_000 });
  });

  it("'inline' (openDatabase's default): the committing connection checkpoints past 16,384 pages, no thread", async () => {
    for (const mode of [undefined, "inline"] as const) {
      const { h, file } = await opened(mode);
      expect(h.checkpointer).toBeUndefined();
      expect(autocheckpoint(h.sqlite!)).toBe(INLINE_CHECKPOINT_PAGES);
      const before = statSync(file).size;
      writePages(h.sqlite!, 2_000);
      // Below the threshold nothing is checkpointed: the pages stay in the WAL.
      await new Promise((r) => setTimeout(r, 400));
      expect(statSync(file).size).toBe(before);
    }
  });

  it("beside the thread, a writer that never pauses keeps the log bounded (restartPages), and its deferred read-then-write transactions never meet SQLITE_BUSY", async () => {
    const { h } = await opened("inline");
    const sqlite = h.sqlite!;
    const checkpointer = new WalCheckpointer(sqlite, sqlite.name, { intervalMs: 5, restartPages: 300 });
    try {
      writePages(sqlite, 1);
      const count = sqlite.prepare("select count(*) as n from filler");
      const insert = sqlite.prepare("insert into filler (body) values (randomblob(3000))");
      let written = 1;
      let maxLog = 0;
      const until = Date.now() + 1_500;
      while (Date.now() < until) {
        // A deferred transaction, as Kysely's: a read first, then writes (an upgrade SQLite never retries).
        sqlite.exec("begin");
        count.get();
        for (let i = 0; i < 40; i++) insert.run();
        sqlite.exec("commit");
        written += 40;
        // One turn of the event loop between transactions, as between a backfill's parts.
        await new Promise((r) => setImmediate(r));
        const wal = statSync(`${sqlite.name}-wal`).size;
        maxLog = Math.max(maxLog, Math.floor(wal / 4_120));
      }
      expect(written, "far more written than one log's worth").toBeGreaterThan(3 * 300);
      // The log's file holds at most a few restarts' worth, not everything written.
      expect(maxLog).toBeLessThan(written / 2);
      expect(count.get()).toEqual({ n: written });
    } finally {
      await checkpointer.stop();
    }
  });

  it("stopping the thread hands checkpoints back to the connection; closing leaves no WAL behind", async () => {
    const file = join(tempDir(), "profileflow.db");
    const h = await openDatabase({ sqliteFile: file, sqliteCheckpoint: "thread" });
    await h.checkpointer!.stop();
    expect(h.checkpointer!.running).toBe(false);
    expect(autocheckpoint(h.sqlite!)).toBe(INLINE_CHECKPOINT_PAGES);
    writePages(h.sqlite!, 100);
    await h.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SQLite(file, { readonly: true });
    try {
      expect(reopened.prepare("select count(*) as n from filler").get()).toEqual({ n: 100 });
    } finally {
      reopened.close();
    }
  });

  it("a thread that cannot start checkpointing ends, says so once, and the connection checkpoints inline again", async () => {
    const { h } = await opened("inline");
    const sqlite = h.sqlite!;
    const notADatabase = join(tempDir(), "not-a-database.db");
    writeFileSync(notADatabase, "x".repeat(8_192));
    // A missing file fails the thread's open; a file that is not a database fails its first checkpoint.
    for (const file of [join(tempDir(), "missing.db"), notADatabase]) {
      const failures: unknown[] = [];
      const checkpointer = new WalCheckpointer(sqlite, file, { onFailure: (e) => failures.push(e) });
      expect(autocheckpoint(sqlite)).toBe(65_536);
      expect(await eventually(() => !checkpointer.running), file).toBe(true);
      expect(autocheckpoint(sqlite)).toBe(INLINE_CHECKPOINT_PAGES);
      expect(failures, file).toHaveLength(1);
      await checkpointer.stop();
      expect(failures, "stop() after a failure reports nothing more").toHaveLength(1);
    }
  });

  it("stopping a running thread reports no failure; an in-memory database gets no thread", async () => {
    const failures: unknown[] = [];
    const h = await openDatabase({
      sqliteFile: join(tempDir(), "profileflow.db"),
      sqliteCheckpoint: "thread",
      onCheckpointThreadFailure: (e) => failures.push(e),
    });
    open.push(h);
    expect(h.checkpointer?.running).toBe(true);
    await h.checkpointer!.stop();
    await h.checkpointer!.stop();
    expect(failures).toEqual([]);
    const m = await openDatabase({ sqliteFile: ":memory:", sqliteCheckpoint: "thread" });
    open.push(m);
    expect(m.checkpointer).toBeUndefined();
  });

  it("a process with nothing else to do runs past close(): the thread holds it until it has ended", async () => {
    const dir = tempDir();
    const file = join(dir, "profileflow.db");
    const script = join(dir, "close.mts");
    const database = new URL("../../src/db/database.ts", import.meta.url).href;
    // A module file, as `profileflow serve` is (under -e, tsx's loader holds the process open by itself).
    writeFileSync(
      script,
      `const { openDatabase } = await import(${JSON.stringify(database)});
       const h = await openDatabase({ sqliteFile: process.argv[2], sqliteCheckpoint: "thread" });
       h.sqlite.exec("create table t (x); insert into t values (1)");
       // Past the thread's start (a thread still starting holds the process by itself).
       await new Promise((resolve) => setTimeout(resolve, 300));
       await h.close();
       console.log("closed", h.sqlite.open);`,
    );
    const run = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, file], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.once("exit", (code) => done({ code, out, err }));
    });
    expect(run.err).toBe("");
    expect(run.out.trim()).toBe("closed false");
    expect(run.code).toBe(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("is read from PROFILEFLOW_SQLITE_CHECKPOINT ('thread' by default); anything else is CONFIG_INVALID", () => {
    expect(loadConfig({ env: {} }).sqliteCheckpoint).toBe("thread");
    expect(loadConfig({ env: { PROFILEFLOW_SQLITE_CHECKPOINT: "inline" } }).sqliteCheckpoint).toBe("inline");
    let error: unknown;
    try {
      loadConfig({ env: { PROFILEFLOW_SQLITE_CHECKPOINT: "background" } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "CONFIG_INVALID",
      message: "config sqliteCheckpoint: must be thread or inline",
    });
  });

  it("reaches the server's database: composeServer checkpoints on a thread unless told inline", async () => {
    for (const [env, thread] of [
      [{}, true],
      [{ PROFILEFLOW_SQLITE_CHECKPOINT: "inline" }, false],
    ] as const) {
      const config = loadConfig({
        flags: {
          port: 0,
          dataDir: tempDir(),
          logLevel: "silent",
          accessKeyId: "AKIDCKPTTESTKEY1",
          secretAccessKey: "ckpt-secret",
        },
        env,
      });
      const server = await composeServer(config, { logger: createLogger("silent") });
      try {
        expect(server.database.checkpointer?.running ?? false).toBe(thread);
        expect(autocheckpoint(server.database.sqlite!)).toBe(thread ? 65_536 : INLINE_CHECKPOINT_PAGES);
      } finally {
        await server.close();
      }
      // Closing stopped the thread.
      expect(server.database.checkpointer?.running ?? false).toBe(false);
    }
  });
});
