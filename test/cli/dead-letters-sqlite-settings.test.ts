import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import type { DatabaseOptions } from "../../src/db/database.ts";

/** SQLite's page cache and memory map of each database the command opened, read just before it closed it. */
const opened = vi.hoisted(() => [] as { cacheSize: unknown; mmapSize: unknown }[]);

vi.mock("../../src/db/database.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/db/database.ts")>();
  return {
    ...actual,
    openDatabase: async (options: DatabaseOptions) => {
      const handle = await actual.openDatabase(options);
      return {
        ...handle,
        close: async () => {
          opened.push({
            cacheSize: handle.sqlite?.pragma("cache_size", { simple: true }),
            mmapSize: handle.sqlite?.pragma("mmap_size", { simple: true }),
          });
          await handle.close();
        },
      };
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), "pf-dlq-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  opened.length = 0;
});

/** Runs `profileflow dead-letters --domain d1 -d <dir> ...more` with its output discarded. */
async function deadLetters(...more: string[]): Promise<void> {
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    const argv = ["node", "profileflow", "dead-letters", "--domain", "d1", "-d", dir, ...more];
    await (await buildProgram(argv)).parseAsync(argv);
  } finally {
    write.mockRestore();
  }
}

it("profileflow dead-letters opens SQLite with the page cache and memory map of PROFILEFLOW_SQLITE_CACHE_MB / _MMAP_MB", async () => {
  vi.stubEnv("PROFILEFLOW_SQLITE_CACHE_MB", "8");
  vi.stubEnv("PROFILEFLOW_SQLITE_MMAP_MB", "0");
  await deadLetters();
  // A negative cache_size is in KiB; the defaults would be 16 MiB and a 256 MiB map.
  expect(opened).toEqual([{ cacheSize: -8 * 1024, mmapSize: 0 }]);
});

it("and with those of its --config file", async () => {
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ sqliteCacheMb: 24, sqliteMmapMb: 64 }));
  // The environment outranks the file: none of it may be set on the machine running the test.
  for (const name of ["PROFILEFLOW_SQLITE_CACHE_MB", "PROFILEFLOW_SQLITE_MMAP_MB", "PROFILEFLOW_CONFIG"])
    vi.stubEnv(name, undefined);
  await deadLetters("-c", file);
  expect(opened).toEqual([{ cacheSize: -24 * 1024, mmapSize: 64 * 1024 * 1024 }]);
});
