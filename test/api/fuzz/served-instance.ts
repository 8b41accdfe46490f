import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";

const bin = join(import.meta.dirname, "../../../bin/profileflow.js");

/** `profileflow serve` in a child process, so that a crash is seen as an exit, with its SQLite file readable. */
export interface ServedInstance {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  child: ChildProcess;
  /** Set once the process exited (code or signal). */
  exit(): string | undefined;
  /** The last 8 KB of its stderr (JSON log lines). */
  stderr(): string;
  /** What the server logged for a failed request (its `err` or code), waiting up to 2 s for the line to arrive. */
  failureCause(requestId: string): Promise<string>;
  /** Resident set size in MB (Linux /proc), or undefined elsewhere. */
  rssMb(): number | undefined;
  /** A digest per table of every row: what a refused request must leave unchanged. */
  snapshot(): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

/**
 * Starts `profileflow serve --no-worker` on a free loopback port with fresh keys (vendor hosts: loopback only),
 * on SQLite in `dataDir` or on the PostgreSQL database `databaseUrl`.
 */
export async function serve(dataDir: string, databaseUrl?: string): Promise<ServedInstance> {
  const credentials = {
    accessKeyId: `AKID${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString("hex"),
  };
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_") && k !== "DATABASE_URL"),
  );
  const child = spawn(
    process.execPath,
    [bin, "serve", "--port", "0", "--host", "127.0.0.1", "--data", dataDir, "--no-worker"],
    {
      env: {
        ...env,
        // debug: a failed request's cause is logged with its id (at error level, or at debug when the edge
        // takes it for a client abort).
        PROFILEFLOW_LOG_LEVEL: "debug",
        PROFILEFLOW_ACCESS_KEY_ID: credentials.accessKeyId,
        PROFILEFLOW_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        PROFILEFLOW_MASTER_KEY: randomBytes(32).toString("base64"),
        // Whatever a fuzzed instanceUrl says, no request leaves the machine.
        PROFILEFLOW_VENDOR_HOSTS: "127.0.0.1:*,localhost:*",
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  let exited: string | undefined;
  // Error lines ("request failed") by request id: why a 5xx happened, in the server's own words.
  const causes = new Map<string, string>();
  const waiting = new Map<string, (cause: string) => void>();
  let partial = "";
  child.stderr!.on("data", (b: Buffer) => {
    err = (err + b.toString()).slice(-8192);
    const lines = (partial + b.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes('"err"') && !line.includes('"code"')) continue;
      try {
        const entry = JSON.parse(line) as {
          requestId?: string;
          msg?: string;
          code?: string;
          err?: { message?: string; code?: string };
        };
        if (!entry.requestId) continue;
        const cause = entry.err
          ? `${entry.err.code ?? ""} ${entry.err.message ?? ""}`.trim()
          : `logged as "${entry.msg}" with code ${entry.code}`;
        causes.set(entry.requestId, cause);
        waiting.get(entry.requestId)?.(cause);
      } catch {
        // not a JSON log line
      }
    }
  });
  child.once("exit", (code, signal) => {
    exited = `exit ${code ?? signal}`;
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", () => reject(new Error(`profileflow serve exited before it was up: ${err}`)));
  });
  const snapshot = databaseUrl
    ? await postgresSnapshot(databaseUrl)
    : sqliteSnapshot(join(dataDir, "profileflow.db"));
  return {
    endpoint,
    credentials,
    child,
    exit: () => exited,
    stderr: () => err,
    failureCause: (requestId) =>
      causes.has(requestId)
        ? Promise.resolve(causes.get(requestId)!)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve("(nothing logged for it within 2 s)"), 2_000);
            waiting.set(requestId, (cause) => {
              clearTimeout(timer);
              resolve(cause);
            });
          }),
    rssMb: () => {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        return kb ? Number(kb) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    snapshot: snapshot.take,
    stop: async () => {
      await snapshot.close();
      if (exited === undefined) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
    },
  };
}

interface Snapshotter {
  take(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

const digest = (rows: string[]) => createHash("sha256").update(rows.sort().join("\n")).digest("hex");

/** Every table of the SQLite file, read-only beside the server (WAL lets both in). */
function sqliteSnapshot(file: string): Snapshotter {
  let db: SQLite.Database | undefined;
  return {
    take: async () => {
      db ??= new SQLite(file, { readonly: true, fileMustExist: true });
      const out = new Map<string, string>();
      const tables = db
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .pluck()
        .all() as string[];
      for (const t of tables) {
        // Sorted row texts: independent of row order and of whether the table has a rowid.
        const rows = (db.prepare(`select * from "${t}"`).raw().all() as unknown[][]).map((row) =>
          JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
        );
        out.set(t, digest(rows));
      }
      return out;
    },
    close: async () => {
      db?.close();
    },
  };
}

/** Every table of the database's public schema, digested by PostgreSQL in one round trip. */
async function postgresSnapshot(url: string): Promise<Snapshotter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let query: string | undefined;
  return {
    take: async () => {
      if (!query) {
        const { rows } = await client.query<{ name: string }>(
          "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
        );
        query = rows
          .map(
            ({ name }) =>
              `select '${name}' as name, (select md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) from "${name}" x) as digest`,
          )
          .join(" union all ");
      }
      const { rows } = await client.query<{ name: string; digest: string }>(query);
      return new Map(rows.map((r) => [r.name, r.digest]));
    },
    close: () => client.end(),
  };
}

/**
 * The audit trail records every decision on a mutating call, a refused one too (issue 16, by design:
 * test/api/audit-events.test.ts checks what it holds), so it is not a write the request made.
 */
const LOGS = new Set(["audit_events"]);

/** The tables whose digest differs between two snapshots, the audit trail left out. */
export function changedTables(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => !LOGS.has(n) && a.get(n) !== b.get(n));
}
