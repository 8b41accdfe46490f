/**
 * Scale-out against a vendor that takes its time: the Salesforce sandbox answers every request after
 * `--latency` ms (300 by default, the sandbox's `latencyMs` knob), and `--workflows` integration workflows
 * (one domain each, created through the SDK) each read its Contacts' whole six-month history as `--batches`
 * bounded windows — many windows; every workflow's history ends at the sandbox's frozen now, so each
 * hand-off's incremental read is empty. Records = workflows × contacts. The API runs in its own process
 * without executions (`serve --no-worker`'s shape); 1, 2 and 4 `profileflow worker --concurrency C`
 * processes run them on a fresh PostgreSQL database per run. Prints records/s per N, the ratio to N × one
 * worker's, how many executions were reading at once (sampled), and each process's peak RSS (VmHWM).
 *
 *   npx tsx bench/worker-scale-out.ts [--contacts 12000] [--workflows 8] [--batches 6] [--concurrency 1]
 *                                     [--latency 300] [--workers 1,2,4] [--max-concurrent N] [--quick]
 *                                     [--skip-write-limit]
 * Then, unless --skip-write-limit, the same workflows with the most workers against a sandbox that answers
 * at once: what this machine's database and workers write at most (the write limit). The goal for N
 * workers is 0.8 × min(N × one worker's rate, the write limit); the table says whether each N meets it.
 * --quick: 6,000 contacts, 4 workflows × 4 batches. --max-concurrent sets the Salesforce instance's
 * concurrency limit (src/flows/instance-limits; default: the connector type's, 4 with one kept for
 * incremental syncs) as an operator would, before the workflows start.
 * PostgreSQL: PROFILEFLOW_TEST_DATABASE_URL (a role that may CREATE DATABASE), else the local test role.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  GetWorkflowCommand,
} from "@aws-sdk/client-customer-profiles";
import pg from "pg";
import { type SandboxInfo, startContactsSandbox } from "./shared/contacts-sandbox.ts";
import {
  clientConfig,
  connectSalesforce,
  contactFields,
  contactsWorkflowInput,
  type ServerAccess,
  userClients,
} from "./shared/contacts-workflow.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";
import { nextMessage } from "./shared/next-message.ts";
import { benchWorkflowRole } from "./shared/workflow-role.ts";

const self = fileURLToPath(import.meta.url);
const root = join(import.meta.dirname, "..");
const MINUTE = 60_000;
const START = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
const HISTORY_DAYS = 183;

/** VmHWM (peak resident set) of a process, in MB; 0 once it is gone. */
function peakMb(pid: number | undefined): number {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/^VmHWM:\s+(\d+) kB/m.exec(s)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** CPU seconds a process has used (user + system, /proc/<pid>/stat); 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** How many API requests the sandbox has answered so far (its `/__sandbox/limits`). */
async function sandboxRequests(url: string): Promise<number> {
  const r = (await (await fetch(`${url}/__sandbox/limits`)).json()) as { requests?: unknown };
  if (typeof r.requests === "number") return r.requests;
  if (r.requests && typeof r.requests === "object")
    return Object.values(r.requests as Record<string, number>).reduce((a, b) => a + Number(b), 0);
  return 0;
}

/** Child: the Salesforce sandbox on a frozen clock, every request delayed by `latencyMs`. */
async function sandboxChild(contacts: number, latencyMs: number): Promise<void> {
  const { info, close } = await startContactsSandbox({
    seed: 12,
    contacts,
    historyDays: HISTORY_DAYS,
    start: START,
    knobs: { latencyMs },
  });
  process.send?.({ info });
  process.on("message", async (m) => {
    if (m === "exit") {
      await close();
      process.exit(0);
    }
  });
}

/** Child: the API alone (no executions: the workers run them), on PostgreSQL, with the shared master key. */
async function serverChild(databaseUrl: string, masterKey: string): Promise<void> {
  const { loadConfig } = await import("../src/config/config.ts");
  const { createLogger } = await import("../src/core/logger.ts");
  const { composeServer } = await import("../src/main.ts");
  const dataDir = mkdtempSync(join(tmpdir(), "pf-scale-api-"));
  const credentials = { accessKeyId: "AKIDPROFILEFLOWSCALE", secretAccessKey: "scale-bench-secret" };
  const config = loadConfig({
    flags: { port: 0, dataDir, databaseUrl, masterKey, logLevel: "silent", ...credentials },
  });
  const server = await composeServer(config, { logger: createLogger("silent") });
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  process.send?.({ ready: { endpoint, ...credentials } });
  process.on("message", async (m) => {
    if (m === "exit") {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

/** Every process this run started, killed if it ends early. */
const started = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of started) if (c.exitCode === null) c.kill("SIGKILL");
});

function child(args: string[]): ChildProcess {
  const c = fork(self, args, { execArgv: ["--import", "tsx"], stdio: "inherit" });
  started.add(c);
  return c;
}

/** `profileflow worker --concurrency c` on `url`; resolves once it says it runs. */
function startWorker(url: string, masterKey: string, concurrency: number): Promise<ChildProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-scale-worker-"));
  const w = spawn(
    process.execPath,
    [join(root, "bin/profileflow.js"), "worker", "--concurrency", String(concurrency), "--data", dataDir],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PROFILEFLOW_MASTER_KEY: masterKey,
        PROFILEFLOW_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  started.add(w);
  w.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    let out = "";
    w.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("running")) resolve(w);
    });
    w.once("exit", (code) => reject(new Error(`worker exited (${code}) before it ran: ${out}`)));
  });
}

/** `count` consecutive windows over the whole history, in whole minutes. */
function windows(info: SandboxInfo, count: number): { from: number; to: number }[] {
  const from = Math.floor(info.historyStart / MINUTE) * MINUTE;
  const step = Math.ceil((info.end - from) / count / MINUTE) * MINUTE;
  return Array.from({ length: count }, (_, i) => ({
    from: from + i * step,
    to: Math.min(info.end, from + (i + 1) * step),
  })).filter((w) => w.from < w.to);
}

interface Shape {
  workflows: number;
  batches: number;
  concurrency: number;
  maxConcurrent: number | undefined;
}

/** Sets up the domains and the connector profile, starts every workflow, waits for all; returns the figures. */
async function drive(ready: ServerAccess, info: SandboxInfo, shape: Shape, databaseUrl: string) {
  const { profiles, appflow, secrets } = userClients(ready);
  const connectorProfileName = await connectSalesforce({ appflow, secrets }, info, "scale");
  if (shape.maxConcurrent !== undefined) await setInstanceLimit(databaseUrl, info.url, shape.maxConcurrent);
  const fields = await contactFields(profiles);
  const all = windows(info, shape.batches);
  const ids: { domain: string; id: string }[] = [];
  const keys: string[] = [];
  for (let i = 0; i < shape.workflows; i++) {
    const d = await profiles.send(
      new CreateDomainCommand({ DomainName: `scale${i}`, DefaultExpirationDays: 366 }),
    );
    keys.push(d.DefaultEncryptionKey ?? "");
  }
  const roles: string[] = [];
  for (const [i, keyArn] of keys.entries()) {
    roles.push(await benchWorkflowRole(clientConfig(ready), { name: `scale${i}`, keyArn }));
  }
  const t0 = performance.now();
  for (let i = 0; i < shape.workflows; i++) {
    const made = await profiles.send(
      new CreateIntegrationWorkflowCommand(
        contactsWorkflowInput({
          domain: `scale${i}`,
          flowName: `scale-contacts-${i}`,
          kmsArn: keys[i] ?? "",
          connectorProfileName,
          roleArn: roles[i] ?? "",
          windows: all,
          fields,
        }),
      ),
    );
    ids.push({ domain: `scale${i}`, id: made.WorkflowId ?? "" });
  }
  const reading = await sampleReading(databaseUrl);
  let records = 0;
  let statuses: string[] = [];
  for (;;) {
    const got = await Promise.all(
      ids.map((w) => profiles.send(new GetWorkflowCommand({ DomainName: w.domain, WorkflowId: w.id }))),
    );
    statuses = got.map((g) => g.Status ?? "");
    records = got.reduce((n, g) => n + (g.Metrics?.AppflowIntegration?.RecordsProcessed ?? 0), 0);
    if (statuses.every((s) => s === "COMPLETE" || s === "FAILED")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const ms = performance.now() - t0;
  const slots = await reading.stop();
  const exec = await executionTimes(databaseUrl);
  for (const c of [profiles, appflow, secrets]) c.destroy();
  return { records, ms, statuses, slots, exec, windows: all.length * shape.workflows };
}

/** The window executions' mean time from creation (queued) to finish, and its largest, in ms. */
async function executionTimes(databaseUrl: string): Promise<{ mean: number; max: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query(
      `select avg(finished_at - started_at)::float8 as mean, max(finished_at - started_at)::float8 as max
       from flow_executions where trigger_kind = 'Window' and finished_at is not null`,
    );
    return { mean: Number(r.rows[0]?.mean ?? 0), max: Number(r.rows[0]?.max ?? 0) };
  } finally {
    await client.end();
  }
}

/** An operator's override of the instance's limits (the row `InstanceLimits.configure` writes). */
async function setInstanceLimit(databaseUrl: string, instanceUrl: string, maxConcurrent: number) {
  const { openDatabase } = await import("../src/db/database.ts");
  const { InstanceLimits } = await import("../src/flows/instance-limits/instance-limits.ts");
  const { systemClock } = await import("../src/core/clock.ts");
  const { systemTimer: timer } = await import("../src/connectors/sdk/timer.ts");
  const handle = await openDatabase({ databaseUrl });
  try {
    await new InstanceLimits({ db: handle.db, clock: systemClock, timer }).configure(
      "Salesforce",
      instanceUrl,
      {
        maxConcurrent,
        requestsPerSecond: 0,
        burst: 1,
      },
    );
  } finally {
    await handle.close();
  }
}

/** Samples every 200 ms how many executions hold an instance slot (are reading); `stop` gives the mean and max. */
async function sampleReading(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const seen: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const r = await client.query("select count(*)::int as n from instance_slots");
      seen.push(r.rows[0].n as number);
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      await client.end();
      const mean = seen.reduce((a, b) => a + b, 0) / Math.max(1, seen.length);
      return { mean, max: Math.max(0, ...seen) };
    },
  };
}

async function runN(n: number, info: SandboxInfo, shape: Shape) {
  const db = await freshPostgres("pf_scale");
  if (!db) throw new Error("PostgreSQL is needed");
  const masterKey = randomBytes(32).toString("base64");
  const server = child(["--server", db.url, masterKey]);
  const ready = await nextMessage<ServerAccess>(server, "ready");
  const workers = await Promise.all(
    Array.from({ length: n }, () => startWorker(db.url, masterKey, shape.concurrency)),
  );
  const load0 = loadavg()[0]!;
  const requests0 = await sandboxRequests(info.url);
  const cpu0 = workers.map((w) => cpuSeconds(w.pid));
  const r = await drive(ready, info, shape, db.url);
  const workerCpu = workers.reduce((n, w, k) => n + cpuSeconds(w.pid) - cpu0[k]!, 0);
  const requests = (await sandboxRequests(info.url)) - requests0;
  const load1 = loadavg()[0]!;
  const rss = { server: peakMb(server.pid), workers: workers.map((w) => peakMb(w.pid)) };
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(
    workers.map((w) => new Promise((res) => (w.exitCode !== null ? res(0) : w.once("exit", res)))),
  );
  server.send("exit");
  await new Promise((res) => server.once("exit", res));
  await db.drop();
  return { ...r, rss, load: [load0, load1], workerCpu, requests };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: "string" },
      workflows: { type: "string" },
      batches: { type: "string" },
      concurrency: { type: "string", default: "1" },
      latency: { type: "string", default: "300" },
      workers: { type: "string", default: "1,2,4" },
      "max-concurrent": { type: "string" },
      quick: { type: "boolean", default: false },
      "skip-write-limit": { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const q = values.quick || process.env["BENCH_QUICK"] === "1";
  const contacts = Number(values.contacts ?? (q ? 6_000 : 12_000));
  const shape: Shape = {
    workflows: Number(values.workflows ?? (q ? 4 : 8)),
    batches: Number(values.batches ?? (q ? 4 : 6)),
    concurrency: Number(values.concurrency),
    maxConcurrent: values["max-concurrent"] === undefined ? undefined : Number(values["max-concurrent"]),
  };
  const latency = Number(values.latency);
  const ns = values.workers.split(",").map(Number);
  const sandbox = child(["--sandbox", String(contacts), String(latency)]);
  const info = await nextMessage<SandboxInfo>(sandbox, "info");
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(
    `worker-scale-out: ${f(info.contacts)} Salesforce Contacts, ${latency} ms per request, ${shape.workflows} workflows × ` +
      `${shape.batches} windows, worker --concurrency ${shape.concurrency}, Salesforce instance limit ` +
      `${shape.maxConcurrent ?? "default"}; ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
  );
  const rows: string[] = [];
  const rates: { n: number; rate: number }[] = [];
  let one: number | undefined;
  for (const n of ns) {
    const r = await runN(n, info, shape);
    const rate = (r.records / r.ms) * 1000;
    rates.push({ n, rate });
    one ??= rate / n;
    const line =
      `${n} worker(s): ${f(r.records)} records in ${(r.ms / 1000).toFixed(1)} s = ${f(rate)} records/s, ` +
      `${(rate / (n * one)).toFixed(2)} × N × one worker's; reading at once mean ${r.slots.mean.toFixed(1)} max ${r.slots.max}; ` +
      `execution queued → finished ${Math.round(r.exec.mean)} ms mean (max ${Math.round(r.exec.max)}); ${r.windows} windows, workflows ${[...new Set(r.statuses)].join("/")}; ${(r.requests / r.windows).toFixed(1)} vendor requests per window; ` +
      `workers' CPU ${r.workerCpu.toFixed(1)} s (${((r.workerCpu / r.records) * 1e6).toFixed(0)} µs per record); peak RSS server ${r.rss.server} MB, ` +
      `workers ${r.rss.workers.join(", ")} MB; load ${r.load.map((l) => l.toFixed(1)).join(" → ")}`;
    console.log(line);
    rows.push(line);
  }
  sandbox.send("exit");
  if (!values["skip-write-limit"]) {
    // The write limit: the most workers against a vendor that answers at once, so nothing but this
    // machine's database and workers bounds the rate.
    const fast = child(["--sandbox", String(contacts), "0"]);
    const fastInfo = await nextMessage<SandboxInfo>(fast, "info");
    const n = Math.max(...ns);
    const r = await runN(n, fastInfo, shape);
    const limit = (r.records / r.ms) * 1000;
    fast.send("exit");
    rows.push(
      `write limit (${n} workers, vendor answering at once): ${f(r.records)} records in ${(r.ms / 1000).toFixed(1)} s = ${f(limit)} records/s; ` +
        `workers' CPU ${r.workerCpu.toFixed(1)} s; load ${r.load.map((l) => l.toFixed(1)).join(" → ")}`,
    );
    rows.push("| workers | records/s | N × one worker's | write limit | goal: 0.8 × the smaller | met |");
    rows.push("|---|---|---|---|---|---|");
    for (const x of rates) {
      const ideal = Math.min(x.n * (one ?? x.rate), limit);
      const met = x.rate >= 0.8 * ideal ? "yes" : "no";
      rows.push(
        `| ${x.n} | ${f(x.rate)} | ${f(x.n * (one ?? x.rate))} | ${f(limit)} | ${f(0.8 * ideal)} | ${met} (${(x.rate / ideal).toFixed(2)}) |`,
      );
    }
  }
  console.log(rows.join("\n"));
}

const role = process.argv[2];
if (role === "--sandbox") await sandboxChild(Number(process.argv[3]), Number(process.argv[4]));
else if (role === "--server") await serverChild(process.argv[3] ?? "", process.argv[4] ?? "");
else
  await main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
