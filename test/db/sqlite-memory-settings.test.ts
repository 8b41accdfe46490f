import { mkdtempSync, rmSync } from "node:fs";
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

async function cacheKib(sqliteCacheMb: number | undefined): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-cache-"));
  dirs.push(dataDir);
  const h = await openDatabase({ dataDir, sqliteCacheMb });
  open.push(h);
  // A negative cache_size is in KiB.
  return -Number(h.sqlite!.pragma("cache_size", { simple: true }));
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
      let error: unknown;
      try {
        loadConfig({ env: { PROFILEFLOW_SQLITE_CACHE_MB: bad } });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/^config sqliteCacheMb:/),
      });
    }
  });

  it("reaches the server's database: composeServer opens SQLite with the configured cache", async () => {
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
      env: { PROFILEFLOW_SQLITE_CACHE_MB: "8" },
    });
    const server = await composeServer(config, { logger: createLogger("silent") });
    try {
      expect(server.database.sqlite!.pragma("cache_size", { simple: true })).toBe(-8 * 1024);
    } finally {
      await server.close();
    }
  });
});
