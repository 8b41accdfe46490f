import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { DialectName } from "./dialect.ts";
import { migrateToLatest } from "./migrate.ts";
import { makeDatabaseFilesPrivate, makePrivateDir } from "./private-files.ts";
import type { Database } from "./schema.ts";
import { cachedStatements } from "./statement-cache.ts";
import { INLINE_CHECKPOINT_PAGES, WalCheckpointer } from "./wal-checkpointer.ts";

// int8 (bigint, used for epoch-ms timestamps and counters) as a JS number; values stay below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Directory of the SQLite file (`profileflow.db`); made 0700 when ours. */
  dataDir?: string | undefined;
  /** An explicit SQLite file path (tests); overrides dataDir. */
  sqliteFile?: string | undefined;
  /** SQLite's page cache in MiB (default 16). */
  sqliteCacheMb?: number | undefined;
  /** How much of the SQLite file is read through a memory map, in MiB (default 256; 0: none). */
  sqliteMmapMb?: number | undefined;
  /**
   * Who copies SQLite's WAL into the file: "inline", the committing connection once the WAL passes 16,384
   * pages (the default here); "thread", mostly a thread with a connection of its own (the server's default:
   * `sqliteCheckpoint`, docs/configuration.md). An in-memory database has no WAL; a `file:` name (opened as a plain file name, not a URI) gets no thread.
   */
  sqliteCheckpoint?: "thread" | "inline" | undefined;
  /** Told if the checkpoint thread cannot start or fails (the connection then checkpoints inline). */
  onCheckpointThreadFailure?: ((error: unknown) => void) | undefined;
  /** Max PostgreSQL connections in the pool. */
  poolSize?: number | undefined;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The raw SQLite connection (bulk paths use prepared statements directly); undefined on PostgreSQL. */
  sqlite: SQLite.Database | undefined;
  /** The PostgreSQL pool (COPY, advisory locks); undefined on SQLite. */
  pool: pg.Pool | undefined;
  /** The WAL checkpoint thread (SQLite with `sqliteCheckpoint: "thread"`), else undefined. */
  checkpointer?: WalCheckpointer | undefined;
  close(): Promise<void>;
}

/** Opens the database (SQLite in WAL mode by default, PostgreSQL when a URL is given) and migrates it. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const handle = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize)
    : openSqlite(options);
  try {
    await migrateToLatest(handle.db);
  } catch (e) {
    await handle.close();
    throw e;
  }
  return handle;
}

function openSqlite(options: DatabaseOptions): DatabaseHandle {
  let file = options.sqliteFile;
  if (!file) {
    const dir = options.dataDir ?? ".profileflow";
    makePrivateDir(dir);
    file = join(dir, "profileflow.db");
  }
  // The file, its WAL and shared memory hold every profile and sealed secret: 0600, not 0644.
  const onDisk = file !== ":memory:" && !file.startsWith("file:");
  if (onDisk) makeDatabaseFilesPrivate(file);
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  // Bulk ingestion touches indexes far larger than the 2 MB default page cache (16 MB unless configured:
  // `sqliteCacheMb`; 64 MB held 61–65 MB more at no faster 1M backfill, docs/benchmarks.md); temporary b-trees
  // (sorts, materialized subqueries) stay in memory; reads go through a memory map.
  sqlite.pragma(`cache_size = ${-1024 * Math.max(2, Math.trunc(options.sqliteCacheMb ?? 16))}`);
  sqlite.pragma("temp_store = MEMORY");
  // The map's pages are the file's, shared with the OS page cache: the kernel drops them under pressure.
  sqlite.pragma(`mmap_size = ${1024 * 1024 * Math.max(0, Math.trunc(options.sqliteMmapMb ?? 256))}`);
  // A page batch dirties thousands of index pages: checkpointing (and fsyncing) the WAL into the file
  // after every such commit (the default: past 1,000 pages) costs more than the batch's own writes.
  // Checkpoint past 16,384 pages (64 MB) instead, and cut the file back to that size afterwards. With
  // "thread", a thread of its own checkpoints, and commits only past 65,536 pages (src/db/wal-checkpointer.ts).
  sqlite.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
  sqlite.pragma("journal_size_limit = 67108864");
  const checkpointer =
    options.sqliteCheckpoint === "thread" && onDisk
      ? new WalCheckpointer(sqlite, file, { onFailure: options.onCheckpointThreadFailure })
      : undefined;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  return {
    db,
    dialect: "sqlite",
    sqlite,
    pool: undefined,
    checkpointer,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function openPostgres(url: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's connection can end under us (server restart, an administrator's terminate, a dropped
  // database): the pool discards that client and the next query opens a new one. Without a listener the
  // 'error' event would be unhandled and take the whole process down.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: "postgres",
    sqlite: undefined,
    pool,
    close: async () => {
      await db.destroy();
    },
  };
}
