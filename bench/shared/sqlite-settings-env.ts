/**
 * SQLite's memory settings from the bench's environment, for a server the bench composes in process
 * (loadConfig refuses the bench's own PROFILEFLOW_BENCH_* names, so the whole environment cannot pass).
 * E.g. PROFILEFLOW_SQLITE_CACHE_MB=64, the page cache of the figures before 2026-12-04 evening (default 16 MB).
 */
export function sqliteSettingsEnv(): Record<string, string | undefined> {
  return {
    PROFILEFLOW_SQLITE_CACHE_MB: process.env["PROFILEFLOW_SQLITE_CACHE_MB"],
    PROFILEFLOW_SQLITE_MMAP_MB: process.env["PROFILEFLOW_SQLITE_MMAP_MB"],
    // Not SQLite's, but a memory setting too: PROFILEFLOW_SEAL_AHEAD=on measures SQLite with the seal worker.
    PROFILEFLOW_SEAL_AHEAD: process.env["PROFILEFLOW_SEAL_AHEAD"],
  };
}
