import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.ts";
import type { DialectName } from "../../src/db/dialect.ts";

/**
 * Test databases: each call gives a fresh SQLite file or a fresh PostgreSQL database.
 * PostgreSQL comes from PROFILEFLOW_TEST_DATABASE_URL (a URL whose role may CREATE DATABASE), else
 * postgres://app:app@127.0.0.1:5432/app_test, the role `.ci/run` creates. When it is unreachable the
 * PostgreSQL runs skip with a hint, unless PROFILEFLOW_TEST_REQUIRE_PG=1 (CI), where they fail.
 */
export const adminUrl =
  process.env["PROFILEFLOW_TEST_DATABASE_URL"] ?? "postgres://app:app@127.0.0.1:5432/app_test";
const requirePg = process.env["PROFILEFLOW_TEST_REQUIRE_PG"] === "1";

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const probeError = await probe();
if (probeError && requirePg) {
  throw new Error(
    `PostgreSQL is required (PROFILEFLOW_TEST_REQUIRE_PG=1) but ${adminUrl} failed: ${probeError}`,
  );
}
/** True when PostgreSQL tests can run here. */
export const postgresAvailable = probeError === undefined;
let hinted = false;

/** The dialects to run store tests on: always SQLite, PostgreSQL when reachable. */
export const testDialects: DialectName[] = postgresAvailable ? ["sqlite", "postgres"] : ["sqlite"];

/** Prints once why PostgreSQL runs are skipped and how to enable them. */
function hint(): void {
  if (hinted || postgresAvailable) return;
  hinted = true;
  console.warn(
    `PostgreSQL tests skipped (${probeError}); start PostgreSQL and set PROFILEFLOW_TEST_DATABASE_URL=postgres://user:pass@host:5432/db (a role with CREATEDB), or run bash .ci/run`,
  );
}

/** Creates an empty PostgreSQL database and returns its URL plus a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pf_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestDatabase extends DatabaseHandle {
  /** The options that open this same database again (e.g. in a child process). */
  location: { sqliteFile?: string; databaseUrl?: string };
  /** Closes and deletes the database. */
  destroy(): Promise<void>;
}

/** Opens a fresh, migrated database of the given dialect. */
export async function openTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "pf-test-"));
    const sqliteFile = join(dir, "test.db");
    const handle = await openDatabase({ sqliteFile });
    return {
      ...handle,
      location: { sqliteFile },
      destroy: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createPostgresDatabase();
  const handle = await openDatabase({ databaseUrl: url, poolSize: 12 });
  return {
    ...handle,
    location: { databaseUrl: url },
    destroy: async () => {
      await handle.close();
      await drop();
    },
  };
}

/** Runs a describe block once per available dialect; PostgreSQL skips with a one-line hint when absent. */
export function describeEachDialect(name: string, body: (dialect: DialectName) => void): void {
  for (const dialect of ["sqlite", "postgres"] as const) {
    if (dialect === "postgres" && !postgresAvailable) {
      hint();
      describe.skip(`${name} [postgres]`, () => body(dialect));
      continue;
    }
    describe(`${name} [${dialect}]`, () => body(dialect));
  }
}
