import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";

const bin = join(import.meta.dirname, "../../../bin/profileflow.js");

/** `profileflow serve` in a child process, so that a crash is seen as an exit, with its SQLite file readable. */
export interface ServedInstance {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  child: ChildProcess;
  /** Set once the process exited (code or signal). */
  exit(): string | undefined;
  /** The last 8 KB of its stderr (warn and error log lines). */
  stderr(): string;
  /** Resident set size in MB (Linux /proc), or undefined elsewhere. */
  rssMb(): number | undefined;
  /** A digest per table of every row: what a refused request must leave unchanged. */
  snapshot(): Map<string, string>;
  stop(): Promise<void>;
}

/** Starts `profileflow serve --no-worker` on a free loopback port with fresh keys; vendor hosts: loopback only. */
export async function serve(dataDir: string): Promise<ServedInstance> {
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
        PROFILEFLOW_LOG_LEVEL: "warn",
        PROFILEFLOW_ACCESS_KEY_ID: credentials.accessKeyId,
        PROFILEFLOW_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        PROFILEFLOW_MASTER_KEY: randomBytes(32).toString("base64"),
        // Whatever a fuzzed instanceUrl says, no request leaves the machine.
        PROFILEFLOW_VENDOR_HOSTS: "127.0.0.1:*,localhost:*",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  let exited: string | undefined;
  child.stderr!.on("data", (b: Buffer) => {
    err = (err + b.toString()).slice(-8192);
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
  let db: SQLite.Database | undefined;
  return {
    endpoint,
    credentials,
    child,
    exit: () => exited,
    stderr: () => err,
    rssMb: () => {
      try {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        return kb ? Number(kb) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    snapshot: () => {
      db ??= new SQLite(join(dataDir, "profileflow.db"), { readonly: true, fileMustExist: true });
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
        out.set(t, createHash("sha256").update(rows.sort().join("\n")).digest("hex"));
      }
      return out;
    },
    stop: async () => {
      db?.close();
      if (exited === undefined) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
    },
  };
}

/** The tables whose digest differs between two snapshots. */
export function changedTables(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n));
}
