/**
 * Profiles ingestion benchmark: for SQLite and PostgreSQL, ingests N synthetic Salesforce-Contact
 * objects in process through the batch entry point (ProfileIngestor.ingestObjects), then measures
 * SearchProfiles latency over HTTP with the real SDK. Prints figures; asserts nothing.
 *
 *   npx tsx bench/profiles-ingest.ts [--objects 200000] [--batch 2000] [--searches 2000] [--only sqlite|postgres] [--statements]
 * After the ingestion it prints what the objects cost on disk (B-tree entries and bytes per object, per
 * table and index). --statements: the statements run per batch and the time spent in each kind (SQLite: inside the
 * library call; PostgreSQL: from send to answer).
 * PostgreSQL comes from PROFILEFLOW_BENCH_DATABASE_URL (a role that may CREATE DATABASE), else the
 * test default postgres://app:app@127.0.0.1:5432/app_test; it is skipped when unreachable.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CreateDomainCommand, SearchProfilesCommand } from "@aws-sdk/client-customer-profiles";
import { sql } from "kysely";
import pg from "pg";
import type { DatabaseHandle } from "../src/db/database.ts";
import {
  type BenchDialect,
  benchDialects,
  loadAverage,
  percentile,
  withBenchServer,
} from "./shared/bench-server.ts";
import { restContact as contact } from "./shared/rest-contact.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "200000" },
    batch: { type: "string", default: "2000" },
    searches: { type: "string", default: "2000" },
    only: { type: "string" },
    statements: { type: "boolean", default: false },
  },
});
const OBJECTS = Number(args.objects);
const BATCH = Number(args.batch);
const SEARCHES = Number(args.searches);

async function run(dialect: BenchDialect): Promise<void> {
  await withBenchServer(dialect, "pf_bench", async ({ server, newClient }) => {
    let client = newClient();
    const DomainName = "bench";
    await client.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const ingestor = server.profiles.ingestor;
    const statements = !args.statements
      ? undefined
      : server.database.sqlite
        ? countStatements(server.database.sqlite)
        : countPgStatements();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const writtenBefore = await bytesWritten(server.database);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let accepted = 0;
    for (let from = 0; from < OBJECTS; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, OBJECTS - from) }, (_, k) => contact(from + k));
      const r = await ingestor.ingestObjects(DomainName, "Salesforce-Contact", batch);
      accepted += r.accepted;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const written = await bytesWritten(server.database);
    console.log(
      `  written per object: ${Math.round((written.bytes - writtenBefore.bytes) / OBJECTS)} bytes`,
      server.database.sqlite
        ? "(this process's write() calls: the WAL and its checkpoints)"
        : `of WAL (pg_stat_wal; full-page images ${((written.fpi - writtenBefore.fpi) / OBJECTS).toFixed(2)} per object)`,
    );
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
    console.log(
      `${dialect}: ingested ${OBJECTS} in ${seconds.toFixed(1)} s = ${Math.round(OBJECTS / seconds)} objects/s;`,
      // On a shared machine wall time depends on the load; CPU time of this process much less so.
      `CPU ${cpuSeconds.toFixed(1)} s = ${Math.round(OBJECTS / cpuSeconds)} objects per CPU-second;`,
      `peak RSS ${mb(peakRss)} MB; load average ${loadAverage()}`,
    );
    if (statements) printStatements(statements, Math.ceil(OBJECTS / BATCH), seconds);
    await printStorage(server.database, OBJECTS);
    // A fresh client: the first one's kept-alive socket has idled out during the long ingestion.
    client.destroy();
    client = newClient();
    const latencies: number[] = [];
    for (let s = 0; s < SEARCHES; s++) {
      const i = Math.floor(Math.random() * OBJECTS);
      const t0 = performance.now();
      const out = await client.send(
        new SearchProfilesCommand({
          DomainName,
          KeyName: "_salesforceContactId",
          Values: [contact(i).Id as string],
        }),
      );
      latencies.push(performance.now() - t0);
      if (out.Items?.length !== 1) throw new Error(`search ${i} found ${out.Items?.length} profiles`);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      [
        `${dialect}:`,
        `${OBJECTS} Salesforce-Contact objects (batches of ${BATCH}) in ${seconds.toFixed(1)} s`,
        `= ${Math.round(OBJECTS / seconds)} objects/s (${accepted} accepted; ${Math.round(OBJECTS / cpuSeconds)} per CPU-second);`,
        `peak RSS ${mb(peakRss)} MB (process max ${mb(process.resourceUsage().maxRSS * 1024)} MB);`,
        `SearchProfiles over HTTP (${SEARCHES} by _salesforceContactId): p50 ${percentile(latencies, 50).toFixed(2)} ms,`,
        `p99 ${percentile(latencies, 99).toFixed(2)} ms`,
      ].join(" "),
    );
  });
}

/** Bytes written so far: SQLite, this process's write() calls; PostgreSQL, the server's WAL. */
async function bytesWritten(database: DatabaseHandle): Promise<{ bytes: number; fpi: number }> {
  if (database.sqlite) {
    const wchar = /^wchar: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
    return { bytes: Number(wchar?.[1] ?? 0), fpi: 0 };
  }
  const r = await sql<{
    wal_bytes: string;
    wal_fpi: string;
  }>`select wal_bytes, wal_fpi from pg_stat_wal`.execute(database.db);
  return { bytes: Number(r.rows[0]?.wal_bytes ?? 0), fpi: Number(r.rows[0]?.wal_fpi ?? 0) };
}

type StatementStats = Map<string, { calls: number; ms: number }>;

/** Wraps SQLite's statements to count calls and time by SQL text (Kysely's and the bulk inserts alike). */
function countStatements(raw: NonNullable<DatabaseHandle["sqlite"]>): StatementStats {
  const stats: StatementStats = new Map();
  // On the Statement prototype, so statements prepared (and cached) before this call are counted too.
  const proto = Object.getPrototypeOf(raw.prepare("select 1")) as Record<string, unknown>;
  for (const m of ["run", "all", "get"]) {
    const f = proto[m] as (this: { source: string }, ...a: unknown[]) => unknown;
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      const t0 = performance.now();
      try {
        return f.apply(this, a);
      } finally {
        const key = this.source.replace(/\s+/g, " ").slice(0, 100);
        const s = stats.get(key) ?? { calls: 0, ms: 0 };
        s.calls++;
        s.ms += performance.now() - t0;
        stats.set(key, s);
      }
    };
  }
  return stats;
}

/** PostgreSQL: every client's queries, timed from send to answer (the server's work and the round trip). */
function countPgStatements(): StatementStats {
  const stats: StatementStats = new Map();
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const first = a[0] as string | { text?: string };
    const source = (typeof first === "string" ? first : (first?.text ?? "?"))
      .replace(/\s+/g, " ")
      .slice(0, 100);
    const t0 = performance.now();
    const done = () => {
      const s = stats.get(source) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += performance.now() - t0;
      stats.set(source, s);
    };
    const out = query.apply(this, a) as Promise<unknown> | undefined;
    if (out && typeof out.then === "function") out.then(done, done);
    return out;
  };
  return stats;
}

function printStatements(stats: StatementStats, batches: number, seconds: number): void {
  let calls = 0;
  let ms = 0;
  for (const s of stats.values()) {
    calls += s.calls;
    ms += s.ms;
  }
  console.log(
    `  statements: ${(calls / batches).toFixed(0)} per batch, ${(ms / 1000).toFixed(1)} s of ${seconds.toFixed(1)} s in the database`,
  );
  for (const [source, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(
      `  ${(s.ms / 1000).toFixed(2).padStart(6)} s ${(s.calls / batches).toFixed(1).padStart(7)}/batch  ${source}`,
    );
}

const PROFILE_TABLES = ["profiles", "profile_objects", "profile_keys", "profile_history"];

/**
 * What the ingested objects cost on disk: per table and index, its B-tree entries and bytes per object
 * (SQLite: the dbstat table; PostgreSQL: pg_relation_size and the indexes' tuple counts after ANALYZE).
 */
async function printStorage(database: DatabaseHandle, objects: number): Promise<void> {
  type Part = { name: string; entries: number; bytes: number };
  let parts: Part[];
  if (database.sqlite) {
    parts = database.sqlite
      .prepare(
        `select s.name, sum(s.ncell) filter (where s.pagetype = 'leaf') as entries, sum(s.pgsize) as bytes
         from dbstat s join sqlite_schema m on m.name = s.name
         where m.tbl_name in (${PROFILE_TABLES.map((t) => `'${t}'`).join(", ")}) group by s.name order by s.name`,
      )
      .all() as Part[];
  } else {
    await sql`analyze ${sql.raw(PROFILE_TABLES.join(", "))}`.execute(database.db);
    const rows = await sql<Part>`
      select c.relname as name, c.reltuples::bigint as entries,
        pg_relation_size(c.oid) + (case when c.relkind = 'r' then coalesce(pg_relation_size(c.reltoastrelid), 0) else 0 end) as bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'i')
        and (c.relname = any(${PROFILE_TABLES}::text[])
          or c.oid in (select indexrelid from pg_index where indrelid = any(${PROFILE_TABLES}::regclass[])))
      order by c.relname`.execute(database.db);
    parts = rows.rows.map((r) => ({ name: r.name, entries: Number(r.entries), bytes: Number(r.bytes) }));
  }
  let entries = 0;
  let bytes = 0;
  for (const p of parts) {
    entries += Number(p.entries);
    bytes += Number(p.bytes);
    console.log(
      `  ${p.name}: ${(Number(p.entries) / objects).toFixed(2)} entries, ${Math.round(Number(p.bytes) / objects)} bytes per object`,
    );
  }
  console.log(
    `  storage: ${parts.length} B-trees/relations, ${(entries / objects).toFixed(2)} entries and ${Math.round(bytes / objects)} bytes per object`,
  );
}

for (const dialect of benchDialects(args.only)) await run(dialect);
