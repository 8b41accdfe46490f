/**
 * What the triggers that keep GetDomain's Stats (migration 0340) cost: N objects of one domain inserted in
 * transactions of 2,000 (as a backfill writes them), then, on the largest statements, replaced with
 * payloads of another size (an encrypted domain's replacements always differ), moved to other profiles (a
 * merge), and deleted (DeleteDomain, DeleteProfileObjectType), each in one transaction; after a warm-up round, with the triggers, without (migration 0340 stepped down), without,
 * with, on a database the project's migrations made.
 *
 *     npx tsx bench/domain-stats-triggers.ts [--objects 100000] [--only sqlite|postgres]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Kysely, sql } from "kysely";
import { type DatabaseHandle, openDatabase } from "../src/db/database.ts";
import { projectMigrator } from "../src/db/migrate.ts";
import type { Database } from "../src/db/schema.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";

const { values } = parseArgs({
  options: {
    objects: { type: "string", default: process.env["BENCH_QUICK"] ? "20000" : "100000" },
    only: { type: "string" },
  },
});
const N = Number(values.objects);
if (!Number.isInteger(N) || N < 1) throw new Error(`--objects: not a whole number: ${values.objects}`);

/** Objects per transaction when inserting, as a backfill's group commit writes them. */
const BATCH = 2_000;

/**
 * Objects `from`..`to` of ~1.3 KB (a sealed Salesforce contact's size) inserted in one statement with the
 * ingest's upsert (`on conflict … do update`), so PostgreSQL's update trigger fires on it as in a backfill.
 */
function insertObjects(db: Kysely<Database>, dialect: string, from: number, to: number) {
  const series =
    dialect === "sqlite"
      ? sql`with recursive g(i) as (select ${from} union all select i + 1 from g where i < ${to})
          select i from g`
      : sql`select generate_series(${from}::int, ${to}::int) as i`;
  return sql`insert into profile_objects (domain_name, object_type_name, object_key, profile_id, payload, fields, updated_at)
    select 'bench', 'Contact', 'k' || i, 'p' || i, substr(${"x".repeat(1_300)} || i, 1, 1300), '{}', 1 from (${series}) as s
    where true on conflict (domain_name, object_type_name, object_key) do update set payload = excluded.payload`.execute(
    db,
  );
}

async function timed(h: DatabaseHandle, what: (tx: Kysely<Database>) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await h.db.transaction().execute(what);
  return performance.now() - t0;
}

async function round(h: DatabaseHandle): Promise<Record<string, number>> {
  // Each round starts from a table without the last round's dead rows.
  await sql`vacuum`.execute(h.db);
  let insert = 0;
  for (let from = 1; from <= N; from += BATCH) {
    insert += await timed(h, (tx) => insertObjects(tx, h.dialect, from, Math.min(N, from + BATCH - 1)));
  }
  if (h.dialect === "postgres") await sql`vacuum analyze profile_objects`.execute(h.db);
  const replace = await timed(h, (tx) =>
    sql`update profile_objects set payload = payload || 'yz' where domain_name = 'bench'`.execute(tx),
  );
  const move = await timed(h, (tx) =>
    sql`update profile_objects set profile_id = 'main' where domain_name = 'bench'`.execute(tx),
  );
  const del = await timed(h, (tx) =>
    sql`delete from profile_objects where domain_name = 'bench'`.execute(tx),
  );
  return { insert, replace, move, delete: del };
}

/** The triggers off (migration 0340 stepped down) or on again (migrated to the latest). */
async function triggers(h: DatabaseHandle, on: boolean): Promise<void> {
  const migrator = projectMigrator(h.db);
  const r = on ? await migrator.migrateToLatest() : await migrator.migrateTo("0330_workflow_record_counts");
  if (r.error) throw r.error;
}

/** The kept figures back at zero once every object of the round is deleted. */
async function backAtZero(h: DatabaseHandle): Promise<void> {
  const left = await sql<{
    n: number;
  }>`select count(*) as n from domain_stats where objects <> 0 or bytes <> 0`.execute(h.db);
  if (Number(left.rows[0]!.n) !== 0) throw new Error("the kept stats did not come back to zero");
}

for (const dialect of ["sqlite", "postgres"] as const) {
  if (values.only && values.only !== dialect) continue;
  const pg = dialect === "postgres" ? await freshPostgres("pf_stats") : undefined;
  if (dialect === "postgres" && !pg) continue;
  const dir = mkdtempSync(join(tmpdir(), "pf-stats-"));
  const h = await openDatabase({ databaseUrl: pg?.url, dataDir: dir });
  try {
    // A first round warms the caches (and compiles PostgreSQL's trigger functions); then with, without,
    // without, with, so neither side always runs first.
    await round(h);
    const kept = await round(h);
    await backAtZero(h);
    await triggers(h, false);
    const bare = await round(h);
    const bare2 = await round(h);
    await triggers(h, true);
    const kept2 = await round(h);
    await backAtZero(h);
    const f = (a: Record<string, number>, b: Record<string, number>, op: string) =>
      `${a[op]!.toFixed(0)}, ${b[op]!.toFixed(0)} ms`;
    for (const op of Object.keys(kept)) {
      const mean = (a: Record<string, number>, b: Record<string, number>) => (a[op]! + b[op]!) / 2;
      const change = ((mean(kept, kept2) - mean(bare, bare2)) / mean(bare, bare2)) * 100;
      console.log(
        `${dialect}: ${op} ${N.toLocaleString("en-US")} objects ${op === "insert" ? `in transactions of ${BATCH.toLocaleString("en-US")}` : "in one transaction"}, two rounds each: with the stats triggers ${f(kept, kept2, op)}, without ${f(bare, bare2, op)} (${change >= 0 ? "+" : ""}${change.toFixed(0)} % on the means)`,
      );
    }
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  }
}
