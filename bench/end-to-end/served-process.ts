import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { ServerRss } from "./drive.ts";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** `profileflow serve` as a user starts it (bin/profileflow.js: the compiled server when dist is current). */
export interface ServedProcess {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Its memory and CPU now (from /proc, read by this process), with the peaks sampled every 200 ms / 1 s. */
  sample(o?: { heapSnapshot?: boolean }): Promise<ServerRss>;
  /** Deletes the domains' data keys through a connection of this process (`--plain`). */
  dropDataKeys(): Promise<void>;
  /** SIGTERM, as a user stops it; resolves once it exited. */
  stop(): Promise<void>;
}

export interface ServedOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Node/V8 flags (`--cpu-prof`, `--trace-gc`, `--heapsnapshot-signal=SIGUSR2` …). */
  execArgv?: readonly string[];
}

/** Starts `profileflow serve --port 0` with embedded workers; resolves once it listens. */
export async function startServed(o: ServedOptions): Promise<ServedProcess> {
  const accessKeyId = `AKIDE2E${randomBytes(6).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString("hex");
  // The bench's own PROFILEFLOW_BENCH_*/TEST_* are not the server's settings (its config refuses unknown
  // names); the server's own (PROFILEFLOW_COMMIT_BUDGET_MS, PROFILEFLOW_SQLITE_CACHE_MB …) pass.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^PROFILEFLOW_(BENCH|TEST)_/.test(k) && k !== "DATABASE_URL",
    ),
  );
  // A config file could name another database than the run's: refused, not guessed at.
  if (env["PROFILEFLOW_CONFIG"])
    throw new Error("unset PROFILEFLOW_CONFIG: the bench sets the server's database itself");
  const settings = Object.entries(env)
    .filter(([k]) => k.startsWith("PROFILEFLOW_"))
    .map(([k, v]) => `${k}=${/KEY|SECRET/.test(k) ? "…" : v}`);
  console.log(
    `server settings from the environment: ${settings.length > 0 ? settings.join(" ") : "none (defaults)"}`,
  );
  const child = spawn(
    process.execPath,
    [...(o.execArgv ?? []), bin, "serve", "--port", "0", "--data", o.dataDir],
    {
      env: {
        ...env,
        PROFILEFLOW_LOG_LEVEL: "silent",
        PROFILEFLOW_ACCESS_KEY_ID: accessKeyId,
        PROFILEFLOW_SECRET_ACCESS_KEY: secretAccessKey,
        ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const endpoint = await listening(child);
  const pid = child.pid!;
  const peaks = { anonKb: 0, unmappedKb: 0 };
  let ticks = 0;
  const sampler = setInterval(() => {
    try {
      peaks.anonKb = Math.max(peaks.anonKb, procStatus(pid).anonKb);
      // Every second, RSS without the SQLite map (the issue reports the map apart): smaps is the costlier read.
      if (ticks++ % 5 === 0) peaks.unmappedKb = Math.max(peaks.unmappedKb, smapsRss(pid).unmappedKb);
    } catch {
      // The server exited between two ticks: the exit handler below says so.
    }
  }, 200);
  let stopping = false;
  const exited = new Promise<void>((r) =>
    child.once("exit", (code, signal) => {
      clearInterval(sampler);
      if (!stopping) console.error(`profileflow serve exited (${code ?? signal}) during the run`);
      r();
    }),
  );
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    async sample(s = {}) {
      if (s.heapSnapshot) child.kill("SIGUSR2");
      // Answered once the snapshot (written on the server's main thread) is done.
      const heap = await heapMetrics(endpoint);
      const st = procStatus(pid);
      const { mapKb, unmappedKb } = smapsRss(pid);
      peaks.anonKb = Math.max(peaks.anonKb, st.anonKb);
      peaks.unmappedKb = Math.max(peaks.unmappedKb, unmappedKb);
      return { ...st, ...heap, dbMapKb: mapKb, cpuMs: cpuMs(pid), peaks: { ...peaks } };
    },
    dropDataKeys: () => dropDataKeys(o),
    async stop() {
      stopping = true;
      clearInterval(sampler);
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The endpoint from serve's first line ("profileflow is listening on http://…"). */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(m[1]!);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`profileflow serve exited (${code}) before listening:\n${out}`)),
    );
  });
}

/** /proc/PID/status: VmRSS, VmHWM (the kernel's high-water mark), RssAnon, RssFile + RssShmem. */
function procStatus(pid: number): Pick<ServerRss, "nowKb" | "peakKb" | "anonKb" | "fileKb"> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return {
    nowKb: kb("VmRSS"),
    peakKb: kb("VmHWM"),
    anonKb: kb("RssAnon"),
    fileKb: kb("RssFile") + kb("RssShmem"),
  };
}

/** CPU the process has used (user + system, all threads), in ms: /proc/PID/stat fields 14 and 15. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Math.round(((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
}

/**
 * One pass over /proc/PID/smaps: the resident pages of the mapped SQLite files (profileflow.db and its
 * -shm, the part the issue reports apart) and of everything else (on PostgreSQL, the whole RSS).
 */
function smapsRss(pid: number): { mapKb: number; unmappedKb: number } {
  let mapKb = 0;
  let otherKb = 0;
  let inDb = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inDb = /profileflow\.db(-shm)?$/.test(line);
    else if (line.startsWith("Rss:")) {
      const kb = Number(/(\d+)/.exec(line)?.[1] ?? 0);
      if (inDb) mapKb += kb;
      else otherKb += kb;
    }
  }
  return { mapKb, unmappedKb: otherKb };
}

/** The JS heap and external memory from the server's /metrics (prom-client's process metrics). */
async function heapMetrics(
  endpoint: string,
): Promise<Pick<ServerRss, "heapUsedKb" | "heapCommittedKb" | "externalKb">> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const kb = (name: string) =>
    Math.round(Number(new RegExp(`^profileflow_${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0) / 1024);
  return {
    heapUsedKb: kb("nodejs_heap_size_used_bytes"),
    heapCommittedKb: kb("nodejs_heap_size_total_bytes"),
    externalKb: kb("nodejs_external_memory_bytes"),
  };
}

async function dropDataKeys(o: ServedOptions): Promise<void> {
  if (o.databaseUrl) {
    const client = new pg.Client({ connectionString: o.databaseUrl });
    await client.connect();
    await client.query("delete from domain_data_keys");
    await client.end();
    return;
  }
  const db = new Database(join(o.dataDir, "profileflow.db"));
  db.pragma("busy_timeout = 10000");
  db.prepare("delete from domain_data_keys").run();
  db.close();
}
