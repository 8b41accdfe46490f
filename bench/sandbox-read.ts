/**
 * Sandbox read speed: the Salesforce sandbox in-process with ~1M Contacts, read over HTTP as a connector does —
 * COUNT(), a 2-month SystemModstamp window through REST query + nextRecordsUrl, a keyset re-query in the
 * connector's form, and the same window through Bulk 2.0 CSV. Prints time to first page, rows/s, peak RSS and
 * a digest of every body read (equal digests before/after an optimisation = identical output). Asserts nothing.
 * Run: npx tsx bench/sandbox-read.ts [people=1700000] [--rest-only|--bulk-only]
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { SandboxRequest } from "../src/sandbox/core/index.ts";
import { Bulk2Jobs } from "../src/sandbox/salesforce/bulk2.ts";
import { SF_FIELDS } from "../src/sandbox/salesforce/fields.ts";
import { RestApi } from "../src/sandbox/salesforce/rest-api.ts";
import { startSalesforceSandbox } from "../src/sandbox/salesforce/salesforce-sandbox.ts";

const people = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_700_000);
const only = process.argv.find((a) => a.startsWith("--") && a.endsWith("-only"));
const DAY = 86_400_000;
// A fixed, frozen clock: the generated history (and so every digest) is the same on every run.
const START = Date.UTC(2025, 0, 1);
const V = "/services/data/v61.0";

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const rssTimer = setInterval(sampleRss, 50);
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;
// CPU time of this process (server and client share it): on a busy machine wall time overstates the cost.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let parseMs = 0;
const parse = (text: string) => {
  const a = performance.now();
  const v = JSON.parse(text);
  parseMs += performance.now() - a;
  return v;
};
const rate = (n: number, t: number) => `${Math.round((n / t) * 1000).toLocaleString("en-US")} rows/s`;

const t0 = performance.now();
const sf = await startSalesforceSandbox({ seed: 7, people, clock: { start: START, speed: 0 } });
const startMs = performance.now() - t0;
sampleRss();
const contacts = sf.stores.Contact.size;
console.log(`people ${people.toLocaleString("en-US")} → ${contacts.toLocaleString("en-US")} Contacts`);
console.log(`start-up: ${ms(startMs)}, RSS ${mb(process.memoryUsage().rss)}`);

const auth = { authorization: `Bearer ${sf.credentials.accessToken}` };
const digest = createHash("sha256");
// SANDBOX_BENCH_DUMP=dir writes every body to dir/NNNN, to diff two versions when their digests differ.
const dumpDir = process.env.SANDBOX_BENCH_DUMP;
if (dumpDir) mkdirSync(dumpDir, { recursive: true });
let dumped = 0;
async function get(path: string, headers: Record<string, string> = {}, record = true) {
  const r = await fetch(sf.url + path, { headers: { ...auth, ...headers } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`);
  if (!record) return { headers: r.headers, text }; // job status polls depend on wall time
  digest.update(text);
  if (dumpDir) writeFileSync(`${dumpDir}/${String(dumped++).padStart(4, "0")}`, `${path}\n${text}`);
  return { headers: r.headers, text };
}
const soql = (q: string, all = false) => `${V}/${all ? "queryAll" : "query"}?q=${encodeURIComponent(q)}`;
const iso = (t: number) => new Date(t).toISOString();

const fields = SF_FIELDS.Contact!.map((f) => f.name);
const from = sf.world.historyEnd - 180 * DAY;
const to = from + 61 * DAY;
const window = `SystemModstamp >= ${iso(from)} AND SystemModstamp < ${iso(to)}`;
const select = `SELECT ${fields.join(", ")} FROM Contact WHERE ${window} ORDER BY SystemModstamp ASC, Id ASC`;

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const a = performance.now();
  const v = await f();
  console.log(`${label}: ${ms(performance.now() - a)}`);
  sampleRss();
  return v;
}

// Warm the HTTP client (undici loads on first use) so the first figure is the sandbox's.
await get(`${V}/limits`, {}, false);
await timed("COUNT() all Contacts", async () => {
  const { text } = await get(soql("SELECT COUNT() FROM Contact"));
  return JSON.parse(text).totalSize as number;
});
const windowRows = await timed("COUNT() 2-month window", async () => {
  const { text } = await get(soql(`SELECT COUNT() FROM Contact WHERE ${window}`));
  return JSON.parse(text).totalSize as number;
});
console.log(`window [${iso(from)}, ${iso(to)}): ${windowRows.toLocaleString("en-US")} rows`);

if (only !== "--bulk-only") {
  // REST: first page, then every nextRecordsUrl; the parse is the client's share of the time.
  let a = performance.now();
  const c = cpuMs();
  parseMs = 0;
  let page = parse((await get(soql(select), { "sforce-query-options": "batchSize=2000" })).text);
  const firstMs = performance.now() - a;
  let rows = 0;
  let lastId = "";
  let lastStamp = "";
  for (;;) {
    rows += page.records.length;
    // Remember a position near the middle of the window for the keyset re-query below.
    const last = page.records[page.records.length - 1];
    if (last && (!lastId || rows <= windowRows / 2)) [lastId, lastStamp] = [last.Id, last.SystemModstamp];
    if (!page.nextRecordsUrl) break;
    page = parse((await get(page.nextRecordsUrl)).text);
  }
  const allMs = performance.now() - a;
  const cpu = cpuMs() - c;
  sampleRss();
  console.log(
    `REST query: first page ${ms(firstMs)}, ${rows.toLocaleString("en-US")} rows in ${ms(allMs)} = ${rate(rows, allMs)}` +
      ` (client JSON.parse ${ms(parseMs)}; without it ${rate(rows, allMs - parseMs)}; process CPU ${ms(cpu)})`,
  );
  if (rows !== windowRows) console.log(`  MISMATCH: COUNT() said ${windowRows}`);
  a = performance.now();
  await get(soql(select), { "sforce-query-options": "batchSize=2000" }, false);
  console.log(`REST query again (warm): first page ${ms(performance.now() - a)}`);

  // The connector's keyset re-query from the middle of the window (residual WHERE on stamp and Id).
  const at = iso(Date.parse(lastStamp.replace("+0000", "Z")));
  const keyset = `SELECT ${fields.join(", ")} FROM Contact WHERE ${window} AND (SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > '${lastId}')) ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000`;
  a = performance.now();
  page = JSON.parse((await get(soql(keyset))).text);
  console.log(
    `REST keyset re-query (mid-window, LIMIT 2000): ${ms(performance.now() - a)}, ${page.records.length} rows`,
  );
}

if (only !== "--rest-only") {
  // Bulk 2.0: create the job, wait for JobComplete, then fetch CSV results by locator.
  const a = performance.now();
  const created = await fetch(`${sf.url}${V}/jobs/query`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ operation: "query", query: select }),
  });
  const job = (await created.json()) as { id: string };
  const createMs = performance.now() - a;
  for (;;) {
    const info = JSON.parse((await get(`${V}/jobs/query/${job.id}`, {}, false)).text);
    if (info.state === "JobComplete") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const b = performance.now();
  const c = cpuMs();
  let locator: string | null = null;
  let rows = 0;
  let firstMs = 0;
  do {
    const q = locator ? `&locator=${locator}` : "";
    const r = await get(`${V}/jobs/query/${job.id}/results?maxRecords=50000${q}`);
    if (!firstMs) firstMs = performance.now() - b;
    rows += Number(r.headers.get("sforce-numberofrecords"));
    const next = r.headers.get("sforce-locator");
    locator = next && next !== "null" ? next : null;
  } while (locator);
  const allMs = performance.now() - b;
  const cpu = cpuMs() - c;
  sampleRss();
  console.log(
    `Bulk 2.0 CSV: job create ${ms(createMs)}, first 50k-row page ${ms(firstMs)}, ${rows.toLocaleString("en-US")} rows in ${ms(allMs)} = ${rate(rows, allMs)} (process CPU ${ms(cpu)})`,
  );
}

// The sandbox's own share: the same pages from the handlers directly, no HTTP and no client, in CPU time.
const req = (path: string, method = "GET", body?: unknown): SandboxRequest => ({
  method,
  url: new URL(path, "http://sandbox"),
  headers: { "content-type": "application/json" },
  body: Buffer.from(body === undefined ? "" : JSON.stringify(body)),
  now: sf.world.clock.now(),
});
// Bodies as the HTTP layer sends them (older handlers returned strings).
const bytesOf = (b: unknown) => (Buffer.isBuffer(b) ? b : Buffer.from(String(b)));
{
  const rest = new RestApi(sf.world);
  const c = cpuMs();
  const a = performance.now();
  let reply = rest.query(req(soql(select)), false, "61.0");
  let bytes = bytesOf(reply.body).length;
  let pages = 1;
  for (;;) {
    const m = /"nextRecordsUrl":"[^"]*\/query\/([^"]+)"/.exec(
      bytesOf(reply.body).subarray(0, 200).toString(),
    );
    if (!m) break;
    reply = rest.more(req("/"), m[1]!, false, "61.0");
    bytes += bytesOf(reply.body).length;
    pages++;
  }
  const cpu = cpuMs() - c;
  console.log(
    `REST handler only: ${pages} pages, ${rate(windowRows, cpu)} per CPU-second (${rate(windowRows, performance.now() - a)} wall), ${Math.round(bytes / windowRows)} B/row`,
  );
}
{
  const bulk = new Bulk2Jobs(sf.world);
  const job = JSON.parse(
    String(bulk.handle(req("/", "POST", { operation: "query", query: select }), [], "61.0").body),
  ) as { id: string };
  await new Promise((r) => setTimeout(r, 700));
  const c = cpuMs();
  const a = performance.now();
  let locator = "";
  let bytes = 0;
  do {
    const reply = bulk.handle(
      req(`/?maxRecords=50000${locator ? `&locator=${locator}` : ""}`),
      [job.id, "results"],
      "61.0",
    );
    bytes += bytesOf(reply.body).length;
    const next = reply.headers?.["sforce-locator"];
    locator = next && next !== "null" ? next : "";
  } while (locator);
  const cpu = cpuMs() - c;
  console.log(
    `Bulk handler only: ${rate(windowRows, cpu)} per CPU-second (${rate(windowRows, performance.now() - a)} wall), ${Math.round(bytes / windowRows)} B/row`,
  );
}

clearInterval(rssTimer);
sampleRss();
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(
  `load average while running: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} on ${cpus().length} cores`,
);
console.log(`peak RSS: ${mb(Math.max(peakRss, maxRss))}`);
console.log(`digest of all bodies: ${digest.digest("hex").slice(0, 16)}`);
await sf.close();
