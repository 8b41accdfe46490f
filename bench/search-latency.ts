/**
 * SearchProfiles over HTTP from another process at a fixed request rate (open loop: request i leaves at
 * t0 + i / rate whatever the answers before it did, and its latency counts from that moment, so a stall
 * shows in every request it delays), first while the server is idle, then while it ingests a backfill;
 * then PutProfileObject over HTTP from a few concurrent clients, against the in-process ingest rate.
 *
 * The server (composeServer, SigV4 verified, authorization, one process) holds `--profiles` Salesforce
 * Contacts ingested in process through ProfileIngestor.ingestObjects (batches of 2,000). The searches are
 * signed before the clock starts (SigV4, as the SDK signs them; valid for 15 minutes), so the client's
 * own CPU per request is a write and a read on a kept-alive socket. Every answer must hold exactly one
 * profile. Prints figures; asserts nothing.
 *
 *   npx tsx bench/search-latency.ts [--profiles 200000] [--rate 1000] [--seconds 10] [--backfill 80000]
 *                                   [--put-clients 4] [--puts 4000] [--dialect sqlite|postgres] [--quick]
 *                                   [--settle 10] [--pin]
 * --settle: seconds of pause after the ingest (once its pages are synced to disk) before the warm-up.
 * --pin (2 cores or more): once the server is up, its main thread on CPU 0 and every thread of the client
 *   on CPU 1 (taskset). Threads the server's main thread starts later (libuv's pool, a seal worker) inherit
 *   CPU 0; those it started before (V8's helpers) stay free, so the server can still run beside the
 *   client. Each search phase also prints how long the server's main thread was runnable but waiting for a
 *   CPU (/proc/PID/task/TID/schedstat) and the hypervisor's steal (/proc/stat).
 * --quick: 20,000 profiles, 5 s per phase, 40,000 backfilled, 1,000 puts. Each phase follows a 2 s warm-up.
 * PROFILEFLOW_BENCH_CPU_PROF=DIR writes the server's V8 CPU profile of each phase to DIR (search-idle,
 * search-backfill, puts .cpuprofile; sampled every 0.5 ms, so per-request CPU is a little higher then).
 * Server CPU per request: the server process's process.cpuUsage() (user + system) over the phase divided
 * by the requests (the idle phase's searches, the puts); robust where latency is not on a shared machine.
 * PROFILEFLOW_BENCH_HEAP_PROF=DIR instead writes each phase's sampled allocations (collected ones included):
 * .heapprofile files, where the garbage that drives the young generation's collections comes from.
 * PROFILEFLOW_BENCH_SERVER_FLAGS="--trace-gc …" passes Node/V8 flags to the server process only.
 */
import { execFileSync, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Sha256 } from "@aws-crypto/sha256-js";
import { CustomerProfilesClient, PutProfileObjectCommand } from "@aws-sdk/client-customer-profiles";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { CONTACT_TYPE, createContactDomain } from "./shared/contact-domain.ts";
import { cpuProfileGaps } from "./shared/cpu-profile-gaps.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";
import { nextMessage } from "./shared/next-message.ts";
import { restContact as contact, contactId } from "./shared/rest-contact.ts";
import { runQueueWait, stealMs, threadScheds } from "./shared/run-queue-wait.ts";
import { sqliteSettingsEnv } from "./shared/sqlite-settings-env.ts";

const self = fileURLToPath(import.meta.url);
const DOMAIN = "search";
const TYPE = CONTACT_TYPE;
const credentials = { accessKeyId: "AKIDPROFILEFLOWSEARCH", secretAccessKey: "search-bench-secret" };

/** PROFILEFLOW_BENCH_SERVER_FLAGS: Node/V8 flags for the server process only (e.g. "--trace-gc"). */
function serverFlags(): string[] {
  return (process.env["PROFILEFLOW_BENCH_SERVER_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
}

/** This process's memory from /proc/self/status, in MB. */
function memory(): { peak: number; anon: number; file: number } {
  const s = readFileSync("/proc/self/status", "utf8");
  const mb = (f: string) =>
    Math.round(Number(new RegExp(`^${f}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0) / 1024);
  return { peak: mb("VmHWM"), anon: mb("RssAnon"), file: mb("RssFile") };
}

/** Child: the server; ingests in process on request and reports the time and CPU it took. */
async function serverChild(databaseUrl: string): Promise<void> {
  const { loadConfig } = await import("../src/config/config.ts");
  const { createLogger } = await import("../src/core/logger.ts");
  const { composeServer } = await import("../src/main.ts");
  const dataDir = mkdtempSync(join(tmpdir(), "pf-search-"));
  const config = loadConfig({
    flags: { port: 0, dataDir, databaseUrl: databaseUrl || undefined, logLevel: "silent", ...credentials },
    env: sqliteSettingsEnv(),
  });
  const server = await composeServer(config, { logger: createLogger("silent") });
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const ingest = async (from: number, count: number) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let at = from; at < from + count; at += 2000) {
      const n = Math.min(2000, from + count - at);
      const batch = Array.from({ length: n }, (_, k) => contact(at + k));
      await server.profiles.ingestor.ingestObjects(DOMAIN, TYPE, batch);
    }
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  process.send?.({ ready: endpoint });
  const heapDir = process.env["PROFILEFLOW_BENCH_HEAP_PROF"];
  const profiler = await phaseProfiler(heapDir ?? process.env["PROFILEFLOW_BENCH_CPU_PROF"], !!heapDir);
  let delay: IntervalHistogram | undefined;
  process.on("message", async (m: MessageToServer) => {
    if (m.profile) process.send?.({ profiled: await profiler(m.profile) });
    if (m.loop === "start") {
      delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
    }
    if (m.loop === "stop" && delay) {
      delay.disable();
      const ms = (ns: number) => ns / 1e6;
      process.send?.({
        loop: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      });
    }
    if (m.cpu) {
      const c = process.cpuUsage();
      process.send?.({ cpu: c.user + c.system });
    }
    if (m.ingest) process.send?.({ ingested: await ingest(m.ingest[0], m.ingest[1]) });
    if (m.memory) process.send?.({ memory: memory() });
    if (m.exit) {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

interface MessageToServer {
  ingest?: [number, number];
  /** Starts, or stops and reports, a histogram of the server's event loop delay. */
  loop?: "start" | "stop";
  memory?: true;
  cpu?: true;
  /** Starts the V8 profiler, or stops it and writes DIR/<name>.cpuprofile ("stop:<name>"). */
  profile?: string;
  exit?: true;
}

/**
 * Per-phase V8 profiles of this process into `dir` (a no-op without `dir`): CPU profiles, or with
 * `heap` sampled allocations (every 32 KB allocated, objects collected since included: where a phase's
 * garbage comes from) as .heapprofile.
 */
async function phaseProfiler(
  dir: string | undefined,
  heap = false,
): Promise<(what: string) => Promise<string>> {
  if (!dir) return async () => "";
  const { Session } = await import("node:inspector");
  const { mkdirSync, writeFileSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))),
    );
  const [domain, ext] = heap ? ["HeapProfiler", "heapprofile"] : ["Profiler", "cpuprofile"];
  await post(`${domain}.enable`);
  if (!heap) await post("Profiler.setSamplingInterval", { interval: 500 });
  return async (what) => {
    if (what === "start") {
      await post(
        heap ? "HeapProfiler.startSampling" : "Profiler.start",
        heap
          ? {
              samplingInterval: 32_768,
              includeObjectsCollectedByMajorGC: true,
              includeObjectsCollectedByMinorGC: true,
            }
          : {},
      );
      return "";
    }
    const { profile } = (await post(heap ? "HeapProfiler.stopSampling" : "Profiler.stop")) as {
      profile: unknown;
    };
    const file = join(dir, `${what.slice("stop:".length)}.${ext}`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

interface Signed {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** `count` SearchProfiles requests by `_salesforceContactId` of random ingested contacts, signed now. */
async function signSearches(endpoint: string, profiles: number, count: number): Promise<Signed[]> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "profile", sha256: Sha256 });
  const path = `/domains/${DOMAIN}/profiles/search`;
  const out: Signed[] = [];
  for (let k = 0; k < count; k++) {
    const body = JSON.stringify({
      KeyName: "_salesforceContactId",
      Values: [contactId(Math.floor(Math.random() * profiles))],
    });
    const req = new HttpRequest({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host, "content-type": "application/json" },
      body,
    });
    const signed = await signer.sign(req);
    out.push({ path, headers: signed.headers as Record<string, string>, body });
  }
  return out;
}

/**
 * Sends `reqs` at `rate` per second on schedule (open loop: the schedule never waits for answers; the
 * agent opens up to 64 sockets and queues requests beyond them). Latency counts from each request's
 * slot, so a stall shows in every request it delays, the client's own lateness included; it is also
 * given from the moment the client wrote the request (`write`), and the lateness itself (`late`). The
 * client sleeps between slots (a 1 ms timer: it used to spin on setImmediate, taking a whole core of
 * this 2-core machine from the server).
 */
async function openLoop(agent: Agent, endpoint: string, reqs: Signed[], rate: number) {
  const url = new URL(endpoint);
  const latencies: number[] = [];
  const fromWrite: number[] = [];
  const late: number[] = [];
  let wrong = 0;
  let failed = 0;
  const send = (r: Signed, slotAt: number, sentAt: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, method: "POST", path: r.path, headers: r.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const end = performance.now();
            latencies.push(end - slotAt);
            fromWrite.push(end - sentAt);
            if (res.statusCode !== 200) failed++;
            else if ((JSON.parse(Buffer.concat(chunks).toString()).Items ?? []).length !== 1) wrong++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        failed++;
        resolve();
      });
      req.end(r.body);
    });
  const inflight: Promise<void>[] = [];
  const t0 = performance.now() + 5;
  const slot = (k: number) => t0 + (k * 1000) / rate;
  let i = 0;
  while (i < reqs.length) {
    const now = performance.now();
    while (i < reqs.length && slot(i) <= now) {
      late.push(now - slot(i));
      inflight.push(send(reqs[i]!, slot(i), now));
      i++;
    }
    if (i < reqs.length) await new Promise((r) => setTimeout(r, Math.max(0, slot(i) - performance.now())));
  }
  await Promise.all(inflight);
  const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
  latencies.sort((a, b) => a - b);
  fromWrite.sort((a, b) => a - b);
  late.sort((a, b) => a - b);
  const p = (q: number) => pct(latencies, q);
  const seconds = (performance.now() - t0) / 1000;
  return {
    sent: reqs.length,
    seconds,
    p50: p(0.5),
    p99: p(0.99),
    p999: p(0.999),
    max: p(1),
    write: { p50: pct(fromWrite, 0.5), p99: pct(fromWrite, 0.99) },
    late: { p50: pct(late, 0.5), p99: pct(late, 0.99) },
    wrong,
    failed,
  };
}

/** `clients` SDK clients, each putting its share of `count` contacts one at a time (closed loop). */
async function puts(endpoint: string, from: number, count: number, clients: number) {
  const made = Array.from(
    { length: clients },
    () => new CustomerProfilesClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 }),
  );
  const t0 = performance.now();
  let at = from;
  await Promise.all(
    made.map(async (c) => {
      while (at < from + count) {
        const i = at++;
        await c.send(
          new PutProfileObjectCommand({
            DomainName: DOMAIN,
            ObjectTypeName: TYPE,
            Object: JSON.stringify(contact(i)),
          }),
        );
      }
    }),
  );
  const ms = performance.now() - t0;
  for (const c of made) c.destroy();
  return { ms, rate: (count / ms) * 1000 };
}

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profiles: { type: "string" },
      rate: { type: "string", default: "1000" },
      seconds: { type: "string" },
      backfill: { type: "string" },
      "put-clients": { type: "string", default: "4" },
      puts: { type: "string" },
      dialect: { type: "string", default: "sqlite" },
      quick: { type: "boolean", default: false },
      settle: { type: "string", default: "10" },
      pin: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const q = values.quick || process.env["BENCH_QUICK"] === "1";
  const profiles = Number(values.profiles ?? (q ? 20_000 : 200_000));
  const rate = Number(values.rate);
  const seconds = Number(values.seconds ?? (q ? 5 : 10));
  const backfill = Number(values.backfill ?? (q ? 40_000 : 80_000));
  const putCount = Number(values.puts ?? (q ? 1_000 : 4_000));
  const putClients = Number(values["put-clients"]);
  const settle = Number(values.settle);
  if (!Number.isFinite(settle) || settle < 0)
    throw new Error(`--settle takes seconds, not '${values.settle}'`);
  const pgdb = values.dialect === "postgres" ? await freshPostgres("pf_search") : undefined;
  if (values.dialect === "postgres" && !pgdb) return;
  const server = fork(self, ["--server", pgdb?.url ?? ""], {
    execArgv: ["--import", "tsx", ...serverFlags()],
    stdio: "inherit",
  });
  try {
    const endpoint = await nextMessage<string>(server, "ready");
    if (values.pin) {
      if (cpus().length < 2) throw new Error("--pin needs two CPUs");
      // The server's main thread (and the threads it starts from now on) on CPU 0, this client on CPU 1.
      const quiet: { stdio: ("ignore" | "inherit")[] } = { stdio: ["ignore", "ignore", "inherit"] };
      execFileSync("taskset", ["-p", "1", String(server.pid)], quiet);
      execFileSync("taskset", ["-a", "-p", "2", String(process.pid)], quiet);
    }
    const sdk = new CustomerProfilesClient({ endpoint, region: "us-east-1", credentials });
    await createContactDomain(sdk, DOMAIN);
    sdk.destroy();
    const f = (x: number) => Math.round(x).toLocaleString("en-US");
    console.log(
      `search-latency (${values.dialect}): ${f(profiles)} profiles, SearchProfiles at ${rate}/s for ${seconds} s per phase; ${cpus().length} cores, ${load()}`,
    );
    server.send({ ingest: [0, profiles] });
    const ing = await nextMessage<{ ms: number; cpuMs: number }>(server, "ingested");
    const inProcess = (profiles / ing.ms) * 1000;
    console.log(
      `in-process ingest (batches of 2,000): ${f(profiles)} in ${(ing.ms / 1000).toFixed(1)} s = ${f(inProcess)} objects/s ` +
        `(${f((profiles / ing.cpuMs) * 1000)} per server CPU-second); ${load()}`,
    );
    const serverCpu = async () => {
      server.send({ cpu: true });
      return nextMessage<number>(server, "cpu");
    };
    const profile = async (what: string) => {
      server.send({ profile: what });
      const file = await nextMessage<string>(server, "profiled");
      if (!file) return;
      console.log(`  server profile: ${file}`);
      if (file.endsWith(".cpuprofile")) {
        const g = cpuProfileGaps(file);
        console.log(
          `  server main thread off the CPU (profile sample gaps > 2 ms ending on a non-idle sample): ${g.gaps} (${g.over5} > 5 ms), ${Math.round(g.totalMs)} ms in all`,
        );
      }
    };
    const phase = async (label: string, name: string) => {
      const cpuPerRequest = name === "search-idle";
      const reqs = await signSearches(endpoint, profiles, rate * seconds);
      await profile("start");
      server.send({ loop: "start" });
      const c0 = await serverCpu();
      const s0 = threadScheds(server.pid!);
      const me0 = threadScheds(process.pid);
      const steal0 = stealMs();
      const r = await openLoop(agent, endpoint, reqs, rate);
      const w = runQueueWait(server.pid!, s0, threadScheds(server.pid!));
      const steal = stealMs() - steal0;
      const me = runQueueWait(process.pid, me0, threadScheds(process.pid));
      const c1 = await serverCpu();
      server.send({ loop: "stop" });
      const d = await nextMessage<{ p50: number; p99: number; max: number }>(server, "loop");
      // Sampled by a 1 ms timer: 1 ms is the floor (no delay).
      const loop = `p50 ${d.p50.toFixed(2)} / p99 ${d.p99.toFixed(2)} / max ${d.max.toFixed(1)} ms`;
      await profile(`stop:${name}`);
      const cpu = cpuPerRequest ? `server CPU ${f((c1 - c0) / r.sent)} µs per search; ` : "";
      console.log(
        `SearchProfiles ${label}: ${f(r.sent)} sent at ${rate}/s (achieved ${f(r.sent / r.seconds)}/s): p50 ${r.p50.toFixed(2)} ms, ` +
          `p99 ${r.p99.toFixed(2)} ms, p99.9 ${r.p999.toFixed(2)} ms, max ${r.max.toFixed(1)} ms; ` +
          `${r.wrong} wrong, ${r.failed} failed; from the write p50 ${r.write.p50.toFixed(2)} / p99 ${r.write.p99.toFixed(2)} ms; ` +
          `written late by p50 ${r.late.p50.toFixed(2)} / p99 ${r.late.p99.toFixed(2)} ms; ` +
          `server event loop delay ${loop}; ${cpu}${load()}`,
      );
      console.log(
        `  server main thread: ${w.mainRunMs.toFixed(0)} ms on a CPU in ${f(w.mainSlices)} slices, ${w.mainWaitMs.toFixed(0)} ms runnable ` +
          `but waiting for one (all its threads: ${w.allWaitMs.toFixed(0)} ms); ` +
          `the client's main thread waited ${me.mainWaitMs.toFixed(0)} ms; hypervisor steal ${steal} ms`,
      );
    };
    // Let the machine settle after the ingest: its written pages flushed to disk (sync), then a pause,
    // so the idle phase measures the server, not the kernel's writeback or the ingest's garbage.
    execFileSync("sync");
    await new Promise((r) => setTimeout(r, settle * 1000));
    console.log(`  settled ${settle} s after the ingest (sync, then a pause); ${load()}`);
    // Warm-up (not counted): the first requests pay for JIT compilation and opening the sockets, which
    // the phases then reuse (kept alive).
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    await openLoop(agent, endpoint, await signSearches(endpoint, profiles, rate * 2), rate);
    await phase("idle", "search-idle");
    // Under a backfill: the server ingests `backfill` more contacts in process while the searches run.
    server.send({ ingest: [profiles + putCount, backfill] });
    const during = nextMessage<{ ms: number; cpuMs: number }>(server, "ingested");
    await phase(`during a backfill of ${f(backfill)}`, "search-backfill");
    const bf = await during;
    agent.destroy();
    console.log(
      `  the backfill: ${f(backfill)} in ${(bf.ms / 1000).toFixed(1)} s = ${f((backfill / bf.ms) * 1000)} objects/s`,
    );
    await profile("start");
    const pc0 = await serverCpu();
    const p = await puts(endpoint, profiles, putCount, putClients);
    const pcpu = ((await serverCpu()) - pc0) / putCount;
    await profile("stop:puts");
    console.log(
      `PutProfileObject over HTTP, ${putClients} concurrent SDK clients: ${f(putCount)} in ${(p.ms / 1000).toFixed(1)} s = ` +
        `${f(p.rate)} objects/s = ${(p.rate / inProcess).toFixed(2)} × the in-process ingest rate; ` +
        `server CPU ${f(pcpu)} µs per put (in-process ingest: ${f((ing.cpuMs * 1000) / profiles)} µs per object); ${load()}`,
    );
    server.send({ memory: true });
    const mem = await nextMessage<{ peak: number; anon: number; file: number }>(server, "memory");
    console.log(
      `server memory: peak RSS (VmHWM) ${mem.peak} MB; now anonymous ${mem.anon} MB, file-backed ${mem.file} MB`,
    );
  } finally {
    server.send({ exit: true });
    await new Promise((r) => server.once("exit", r));
    await pgdb?.drop();
  }
}

if (process.argv[2] === "--server") await serverChild(process.argv[3] ?? "");
else
  await main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
