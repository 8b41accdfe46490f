import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openSalesforce } from "../../src/connectors/salesforce/index.ts";
import type { SandboxInfo } from "../shared/contacts-sandbox.ts";
import { threeBatches } from "./drive.ts";

/** What the copy floor measured. */
export interface FloorResult {
  records: number;
  pages: number;
  ms: number;
}

/** A sink for raw rows: one batch per page, in one transaction. */
interface RawSink {
  insert(rows: { id: string; payload: string }[]): Promise<void>;
  close(): Promise<void>;
}

function sqliteSink(dataDir: string): RawSink {
  const db = new Database(join(dataDir, "floor.db"));
  // The same durability settings profileflow's SQLite runs with.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("create table raw (id text primary key, payload text not null)");
  const put = db.prepare("insert or replace into raw (id, payload) values (?, ?)");
  const batch = db.transaction((rows: { id: string; payload: string }[]) => {
    for (const r of rows) put.run(r.id, r.payload);
  });
  return {
    insert: async (rows) => {
      batch(rows);
    },
    close: async () => {
      db.close();
    },
  };
}

async function postgresSink(url: string): Promise<RawSink> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("create table raw (id text primary key, payload text not null)");
  return {
    insert: async (rows) => {
      if (rows.length === 0) return;
      const params: string[] = [];
      const values = rows.map((r, i) => {
        params.push(r.id, r.payload);
        return `($${2 * i + 1}, $${2 * i + 2})`;
      });
      await client.query(
        `insert into raw (id, payload) values ${values.join(",")} on conflict (id) do update set payload = excluded.payload`,
        params,
      );
    },
    close: async () => client.end(),
  };
}

/**
 * The copy floor: the same connector over the same three windows (so the same HTTP pages, fetched and
 * parsed), each page's raw rows inserted as one batch; no mapping, no identity resolution, no checkpoints.
 */
export async function runFloor(
  info: SandboxInfo,
  databaseUrl: string | undefined,
  dataDir: string,
): Promise<FloorResult> {
  const sink = databaseUrl ? await postgresSink(databaseUrl) : sqliteSink(dataDir);
  const connector = openSalesforce({
    instanceUrl: info.url,
    credentials: {
      kind: "oauth_refresh",
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      refreshToken: info.refreshToken,
    },
  });
  const t0 = performance.now();
  let records = 0;
  let pages = 0;
  for (const w of threeBatches(info)) {
    for await (const p of connector.read({ object: "Contact", window: { from: w.from, to: w.to } })) {
      pages++;
      // One statement must not upsert an id twice, should a page ever repeat one.
      const byId = new Map(p.records.map((r) => [r.id, JSON.stringify(r.data)]));
      const rows = [...byId].map(([id, payload]) => ({ id, payload }));
      await sink.insert(rows);
      records += p.records.length;
    }
  }
  const ms = performance.now() - t0;
  await connector.close();
  await sink.close();
  return { records, pages, ms };
}
