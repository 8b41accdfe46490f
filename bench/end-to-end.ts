/**
 * End to end: N Salesforce Contacts (1M by default) stamped over six months, read over HTTP from the sandbox
 * through a three-batch integration workflow (CreateIntegrationWorkflow, one bounded step per two months)
 * into profiles, on SQLite and on PostgreSQL. In the same run, on the same pages (the same connector over the
 * same three windows), the copy floor: fetch the pages, parse them, insert the raw rows in batches, nothing
 * else. Sandbox, server and floor each run in their own process, so peak RSS is per process. The server is
 * `profileflow serve` as a user starts it (bin/profileflow.js; the bench compiles dist first when stale),
 * measured from outside through /proc and its /metrics: peak RSS, anonymous memory sampled every 200 ms,
 * RSS without the SQLite map every second, and all of it when the workflow passes 100k and 500k records
 * and at the end. The server's own PROFILEFLOW_* settings in the environment reach it (printed), e.g.
 * PROFILEFLOW_SQLITE_CACHE_MB=64; PROFILEFLOW_CONFIG is refused. Prints figures; asserts nothing.
 *
 *   npx tsx bench/end-to-end.ts [--contacts 1000000] [--only sqlite|postgres] [--plain]
 * --plain drops the domain's data key once it is created: payloads are stored unsealed (issue 16's
 * encryption cost is the difference from a run without it).
 * PROFILEFLOW_BENCH_CPU_PROF=DIR writes each child's CPU profile (sandbox, floor, server) to DIR;
 * PROFILEFLOW_BENCH_SERVER_FLAGS="--trace-gc …" gives the server Node/V8 flags; PROFILEFLOW_BENCH_HEAP_SNAPSHOT=DIR
 * writes the server's heap snapshot at each sample there.
 * PostgreSQL: PROFILEFLOW_TEST_DATABASE_URL (a role that may CREATE DATABASE), else
 * postgres://app:app@127.0.0.1:5432/app_test; a fresh database per run; skipped when unreachable.
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { serverStaleReason } from "../scripts/build-server.mjs";
import { driveWorkflow, type E2eResult, type ServerRss } from "./end-to-end/drive.ts";
import { type FloorResult, runFloor } from "./end-to-end/floor.ts";
import { startServed } from "./end-to-end/served-process.ts";
import { type SandboxInfo, startContactsSandbox } from "./shared/contacts-sandbox.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";
import { nextMessage } from "./shared/next-message.ts";

const self = fileURLToPath(import.meta.url);
const MINUTE = 60_000;
/** The sandbox's frozen now: a whole minute safely in the past, so every window is settled. */
const START = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
const HISTORY_DAYS = 183;
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const peakKb = () => process.resourceUsage().maxRSS;

/** Child: the Salesforce sandbox holding `contacts` Contacts over six months, on a frozen clock. */
async function sandboxChild(contacts: number): Promise<void> {
  const { info, close } = await startContactsSandbox({
    seed: 11,
    contacts,
    historyDays: HISTORY_DAYS,
    start: START,
  });
  process.send?.({ info });
  process.on("message", async (m) => {
    if (m === "rss") process.send?.({ rssKb: peakKb() });
    if (m === "exit") {
      await close();
      process.exit(0);
    }
  });
}

/** Child: the copy floor over the same pages; reports its figures. */
async function floorChild(info: SandboxInfo, databaseUrl: string | undefined): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-floor-"));
  const r = await runFloor(info, databaseUrl, dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  process.send?.({ floor: { ...r, rssKb: peakKb() } });
  process.exit(0);
}

/** PROFILEFLOW_BENCH_CPU_PROF=DIR: every child writes a V8 CPU profile there (NODE_OPTIONS may not carry it). */
const cpuProfDir = process.env["PROFILEFLOW_BENCH_CPU_PROF"];
const heapSnapshotDir = process.env["PROFILEFLOW_BENCH_HEAP_SNAPSHOT"];

/** PROFILEFLOW_BENCH_SERVER_FLAGS="--trace-gc …": extra Node/V8 flags for the server child only. */
const serverFlags = (process.env["PROFILEFLOW_BENCH_SERVER_FLAGS"] ?? "").split(/\s+/).filter(Boolean);

const prof = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];

function spawn(args: string[]): ChildProcess {
  return fork(self, args, { execArgv: ["--import", "tsx", ...prof], stdio: "inherit" });
}

async function runDialect(
  dialect: "sqlite" | "postgres",
  info: SandboxInfo,
  sandbox: ChildProcess,
  plain: boolean,
) {
  const floorDb = dialect === "postgres" ? await freshPostgres("pf_e2e") : undefined;
  if (dialect === "postgres" && !floorDb) return;
  const floorChildProcess = spawn(["--floor", JSON.stringify(info), floorDb?.url ?? ""]);
  const floor = await nextMessage<FloorResult & { rssKb: number }>(floorChildProcess, "floor");
  await floorDb?.drop();
  const serverDb = dialect === "postgres" ? await freshPostgres("pf_e2e") : undefined;
  // The server is `profileflow serve` as a user starts it (the compiled server when dist is current).
  const dataDir = mkdtempSync(join(tmpdir(), "pf-e2e-"));
  const snapshot = heapSnapshotDir
    ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${heapSnapshotDir}`]
    : [];
  const server = await startServed({
    dataDir,
    databaseUrl: serverDb?.url,
    execArgv: [...prof, ...snapshot, ...serverFlags],
  });
  // PROFILEFLOW_BENCH_HEAP_SNAPSHOT=DIR: a heap snapshot at each sample (diagnosis only: it costs seconds).
  const rss = () => server.sample({ heapSnapshot: heapSnapshotDir !== undefined });
  const dropDataKey = async () => {
    if (plain) await server.dropDataKeys();
  };
  const start = await rss();
  const e2e: E2eResult = await driveWorkflow(server, info, rss, dropDataKey);
  const end = await rss();
  sandbox.send("rss");
  const sandboxKb = await nextMessage<number>(sandbox, "rssKb");
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await serverDb?.drop();
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const e2eRate = rate(e2e.records, e2e.ms);
  const floorRate = rate(floor.records, floor.ms);
  const f = (n: number) => n.toLocaleString("en-US");
  console.log(
    `${dialect}: end to end ${f(e2e.records)} records in ${(e2e.ms / 1000).toFixed(1)} s = ${f(e2eRate)} records/s ` +
      `(workflow ${e2e.status}, ${e2e.steps} steps, domain objects ${f(e2e.objects)}, profiles ${f(e2e.profiles)}, ` +
      `GetDomain ${e2e.statsMs.toFixed(1)} ms); ` +
      `copy floor ${f(floor.records)} records in ${(floor.ms / 1000).toFixed(1)} s = ${f(floorRate)} records/s ` +
      `(${floor.pages} pages); ratio ${(e2eRate / floorRate).toFixed(2)}`,
  );
  // CPU time is steadier than wall time on a shared VM: what to compare between two runs (e.g. --plain).
  const cpuMs = (end.cpuMs ?? 0) - (start.cpuMs ?? 0);
  console.log(
    `${dialect}: server CPU ${(cpuMs / 1000).toFixed(1)} s during the run = ${Math.round((cpuMs * 1000) / e2e.records)} µs per record ` +
      `(${Math.round((cpuMs / e2e.ms) * 100)} % of one core)`,
  );
  const memory = (r: ServerRss) =>
    `${mb(r.nowKb)} (anonymous ${mb(r.anonKb)}, file-backed ${mb(r.fileKb)} of which the SQLite map ${mb(r.dbMapKb ?? 0)}, JS heap ${mb(r.heapUsedKb)} ` +
    `used / ${mb(r.heapCommittedKb ?? 0)} committed, external ${mb(r.externalKb ?? 0)})`;
  const samples = e2e.rssSamples.map((s) => `at ${f(s.records)} records ${memory(s.rss)}, `).join("");
  const p = end.peaks;
  console.log(
    `${dialect}: peak RSS server ${mb(end.peakKb)}` +
      (p
        ? ` (sampled peaks: anonymous ${mb(p.anonKb)} every 200 ms, RSS without the SQLite map ${mb(p.unmappedKb)} every second)`
        : "") +
      `; RSS ${samples}at the end ${memory(end)}; copy floor ${mb(floor.rssKb)}, sandbox ${mb(sandboxKb)}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: "string", default: "1000000" },
      only: { type: "string" },
      plain: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const contacts = Number(values.contacts);
  console.log(
    `end-to-end: ${contacts.toLocaleString("en-US")} Salesforce Contacts over six months, ${cpus().length} cores` +
      (values.plain ? ", payloads unsealed (--plain)" : ""),
  );
  // The server runs compiled (dist) as `npm ci` leaves it: compile what changed since the last build.
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../scripts/build-server.mjs", import.meta.url)), "--if-stale"],
    { stdio: "inherit" },
  );
  const stale = serverStaleReason();
  console.log(stale ? `server: the TypeScript sources through tsx (${stale})` : "server: compiled (dist)");
  const t0 = performance.now();
  const sandbox = spawn(["--sandbox", String(contacts)]);
  const info = await nextMessage<SandboxInfo>(sandbox, "info");
  console.log(
    `sandbox: ${info.contacts.toLocaleString("en-US")} Contacts, started in ${Math.round(performance.now() - t0)} ms`,
  );
  for (const dialect of ["sqlite", "postgres"] as const) {
    if (values.only && values.only !== dialect) continue;
    await runDialect(dialect, info, sandbox, values.plain);
  }
  sandbox.send("exit");
}

const role = process.argv[2];
if (role === "--sandbox") await sandboxChild(Number(process.argv[3]));
else if (role === "--floor")
  await floorChild(JSON.parse(process.argv[3] ?? "{}") as SandboxInfo, process.argv[4] || undefined);
else await main();
