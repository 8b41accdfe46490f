import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import { makePrivateDir } from "../../src/db/private-files.ts";
import { composeServer } from "../../src/main.ts";

const mode = (path: string) => statSync(path).mode & 0o7777;
const isRoot = process.getuid?.() === 0;

describe("data directory and database file modes", () => {
  const roots: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), "pf-modes-"));
    roots.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a new data directory is 0700; the SQLite file, its WAL and shared memory are 0600", async () => {
    const dataDir = join(scratch(), "data");
    const handle = await openDatabase({ dataDir });
    // A write goes through the WAL, so -wal and -shm exist now.
    await handle.db
      .insertInto("resource_tags")
      .values({ resource_arn: "arn:x", tag_key: "k", tag_value: "v" })
      .execute();
    const file = join(dataDir, "profileflow.db");
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(readdirSync(dataDir).sort()).toEqual([
        "profileflow.db",
        "profileflow.db-shm",
        "profileflow.db-wal",
      ]);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await handle.close();
    }
  });

  it("an existing 0755 directory and 0644 files of an older start are narrowed to 0700 and 0600", async () => {
    const dataDir = join(scratch(), "data");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, "profileflow.db");
    // What an older profileflow left behind: a WAL database, readable by everyone.
    const old = new SQLite(file);
    old.pragma("journal_mode = WAL");
    old.exec("create table t (x)");
    chmodSync(file, 0o644);
    old.close();
    expect(mode(file)).toBe(0o644);

    const handle = await openDatabase({ dataDir });
    try {
      await handle.db
        .insertInto("resource_tags")
        .values({ resource_arn: "arn:x", tag_key: "k", tag_value: "v" })
        .execute();
      expect(mode(dataDir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await handle.close();
    }
  });

  it("serve's composition makes a data directory someone else created 0700, every file in it 0600", async () => {
    const dataDir = join(scratch(), "data");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("warn", sink);
    const server = await composeServer(loadConfig({ flags: { port: 0, dataDir, logLevel: "warn" } }), {
      logger,
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      const files = readdirSync(dataDir).sort();
      expect(files).toEqual(expect.arrayContaining(["credentials", "master.key", "profileflow.db"]));
      for (const f of files) expect([f, mode(join(dataDir, f))]).toEqual([f, 0o600]);
      expect(warnings.join("")).not.toContain("open to other users");
    } finally {
      await server.close();
    }
  });

  it("a shared sticky directory is left as it is, with a reason to log", () => {
    const dir = join(scratch(), "shared");
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    expect(makePrivateDir(dir)).toMatch(/open to other users \(mode 777\).*sticky/);
    expect(mode(dir)).toBe(0o1777);
  });

  it.runIf(isRoot)("another user's directory is left as it is, with a reason to log", () => {
    const dir = join(scratch(), "theirs");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    chownSync(dir, 65534, 65534);
    expect(makePrivateDir(dir)).toMatch(/open to other users \(mode 755\) and belongs to another user/);
    expect(mode(dir)).toBe(0o755);
  });
});
