import pg from "pg";

/** A database the benchmarks may create and drop: PROFILEFLOW_TEST_DATABASE_URL's server, else the local test role. */
export const adminUrl =
  process.env["PROFILEFLOW_BENCH_DATABASE_URL"] ??
  process.env["PROFILEFLOW_TEST_DATABASE_URL"] ??
  "postgres://app:app@127.0.0.1:5432/app_test";

/**
 * A fresh PostgreSQL database named `${prefix}_${pid}` (dropped first if a killed run left it), with the
 * way to drop it; undefined, after one line saying why, when the server cannot be reached.
 */
export async function freshPostgres(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } catch (e) {
    console.log(`postgres: skipped (${(e as Error).message})`);
    return undefined;
  } finally {
    await admin.end().catch(() => {});
  }
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
