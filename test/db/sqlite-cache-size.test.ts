import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.ts";

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

  it("is read from PROFILEFLOW_SQLITE_CACHE_MB and refused below 2 MiB with the key named", () => {
    expect(loadConfig({ env: {} }).sqliteCacheMb).toBe(16);
    expect(loadConfig({ env: { PROFILEFLOW_SQLITE_CACHE_MB: "64" } }).sqliteCacheMb).toBe(64);
    expect(() => loadConfig({ env: { PROFILEFLOW_SQLITE_CACHE_MB: "1" } })).toThrow(/sqliteCacheMb/);
  });
});
