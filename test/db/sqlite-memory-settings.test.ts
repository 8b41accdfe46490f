import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.ts";
import { composeServer } from "../../src/main.ts";

const open: DatabaseHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function opened(options: { sqliteCacheMb?: number; sqliteMmapMb?: number }): Promise<DatabaseHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-cache-"));
  dirs.push(dataDir);
  const h = await openDatabase({ dataDir, ...options });
  open.push(h);
  return h;
}

async function cacheKib(sqliteCacheMb: number | undefined): Promise<number> {
  const h = await opened(sqliteCacheMb === undefined ? {} : { sqliteCacheMb });
  // A negative cache_size is in KiB.
  return -Number(h.sqlite!.pragma("cache_size", { simple: true }));
}

async function mmapBytes(sqliteMmapMb: number | undefined): Promise<number> {
  const h = await opened(sqliteMmapMb === undefined ? {} : { sqliteMmapMb });
  return Number(h.sqlite!.pragma("mmap_size", { simple: true }));
}

/** loadConfig's error for one environment, or undefined. */
function configError(env: Record<string, string>): unknown {
  try {
    loadConfig({ env });
  } catch (e) {
    return e;
  }
  return undefined;
}

async function composed(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-cache-"));
  dirs.push(dataDir);
  const config = loadConfig({
    flags: {
      port: 0,
      dataDir,
      logLevel: "silent",
      accessKeyId: "AKIDCACHETESTKEY1",
      secretAccessKey: "cache-secret",
    },
    env,
  });
  return composeServer(config, { logger: createLogger("silent") });
}

describe("SQLite's page cache (sqliteCacheMb)", () => {
  it("is 16 MiB by default and what the setting says otherwise", async () => {
    expect(await cacheKib(undefined)).toBe(16 * 1024);
    expect(await cacheKib(64)).toBe(64 * 1024);
  });

  it("is read from PROFILEFLOW_SQLITE_CACHE_MB; out of 2–65536 or not an integer it is CONFIG_INVALID naming the key", () => {
    expect(loadConfig({ env: {} }).sqliteCacheMb).toBe(16);
    expect(loadConfig({ env: { PROFILEFLOW_SQLITE_CACHE_MB: "64" } }).sqliteCacheMb).toBe(64);
    for (const bad of ["1", "65537", "8.5", "lots"]) {
      expect(configError({ PROFILEFLOW_SQLITE_CACHE_MB: bad })).toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/^config sqliteCacheMb:/),
      });
    }
  });

  it("reaches the server's database: composeServer opens SQLite with the configured cache", async () => {
    const server = await composed({ PROFILEFLOW_SQLITE_CACHE_MB: "8" });
    try {
      expect(server.database.sqlite!.pragma("cache_size", { simple: true })).toBe(-8 * 1024);
    } finally {
      await server.close();
    }
  });
});

describe("SQLite's memory map (sqliteMmapMb)", () => {
  it("maps 256 MiB by default, what the setting says otherwise, and nothing at 0", async () => {
    expect(await mmapBytes(undefined)).toBe(256 * 1024 * 1024);
    expect(await mmapBytes(1024)).toBe(1024 * 1024 * 1024);
    expect(await mmapBytes(0)).toBe(0);
  });

  it("is read from PROFILEFLOW_SQLITE_MMAP_MB; out of 0–2047 or not an integer it is CONFIG_INVALID naming the key", () => {
    expect(loadConfig({ env: {} }).sqliteMmapMb).toBe(256);
    expect(loadConfig({ env: { PROFILEFLOW_SQLITE_MMAP_MB: "2047" } }).sqliteMmapMb).toBe(2047);
    expect(loadConfig({ env: { PROFILEFLOW_SQLITE_MMAP_MB: "0" } }).sqliteMmapMb).toBe(0);
    // 0 turns the map off, so nothing that merely coerces to 0 (a blank, null, false) may mean it.
    for (const bad of ["-1", "2048", "1.5", "all", " ", "0x10", "1e3"]) {
      expect(configError({ PROFILEFLOW_SQLITE_MMAP_MB: bad })).toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/^config sqliteMmapMb:/),
      });
    }
    // Out of range names the bound, whether the value came as digits or as a number.
    expect(configError({ PROFILEFLOW_SQLITE_MMAP_MB: "-1" })).toMatchObject({
      message: expect.stringMatching(/>=\s*0/),
    });
    expect(configError({ PROFILEFLOW_SQLITE_MMAP_MB: "99999999999999999999" })).toMatchObject({
      message: expect.stringMatching(/<=\s*2047/),
    });
    const dir = mkdtempSync(join(tmpdir(), "pf-cache-"));
    dirs.push(dir);
    for (const bad of [null, false, "", []]) {
      const file = join(dir, "config.json");
      writeFileSync(file, JSON.stringify({ sqliteMmapMb: bad }));
      let error: unknown;
      try {
        loadConfig({ env: {}, file });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bad)).toMatchObject({
        code: "CONFIG_INVALID",
        message: "config sqliteMmapMb: must be a whole number",
      });
    }
  });

  it("reaches the server's database: composeServer opens SQLite with the configured map", async () => {
    const server = await composed({ PROFILEFLOW_SQLITE_MMAP_MB: "512" });
    try {
      expect(server.database.sqlite!.pragma("mmap_size", { simple: true })).toBe(512 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });
});
