/**
 * Connector read speed: every Salesforce Contact (1M by default) read over HTTP by the Salesforce connector,
 * once through REST (queryAll + nextRecordsUrl, 2,000-row batches) and once through Bulk API 2.0 (CSV,
 * 10,000-row result pages (the default)). The sandbox runs in a child process and each read in another, so peak RSS is
 * measured per process. Prints records/s and peak RSS; asserts nothing.
 * Run: npx tsx bench/connectors-read.ts [contacts=1000000] [--rest-only|--bulk-only]
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nextMessage } from "./shared/next-message.ts";

const self = fileURLToPath(import.meta.url);
const START = Date.UTC(2025, 0, 1);
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const peakKb = () => process.resourceUsage().maxRSS; // kilobytes on Linux

interface SandboxInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  contacts: number;
}
interface ReadResult {
  mode: string;
  records: number;
  ms: number;
  firstPageMs: number;
  pages: number;
  rssKb: number;
  /** CPU time of the connector process (user + system), ms: what the connector itself costs. */
  cpuMs: number;
}

/** Child: the Salesforce sandbox on a frozen clock; answers "rss" with its peak RSS. */
async function sandboxChild(people: number): Promise<void> {
  const { startSalesforceSandbox } = await import("../src/sandbox/salesforce/salesforce-sandbox.ts");
  const sb = await startSalesforceSandbox({ seed: 7, people, clock: { start: START, speed: 0 } });
  const c = sb.credentials;
  const info: SandboxInfo = {
    url: sb.url,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    refreshToken: c.refreshToken,
    contacts: sb.stores.Contact.size,
  };
  process.send?.({ info });
  process.on("message", async (m) => {
    if (m === "rss") process.send?.({ rssKb: peakKb() });
    if (m === "exit") {
      await sb.close();
      process.exit(0);
    }
  });
}

/** Child: one full read of Contact through the connector. */
async function readChild(mode: "rest" | "bulk", info: SandboxInfo): Promise<void> {
  const { openSalesforce } = await import("../src/connectors/salesforce/index.ts");
  const tuning = mode === "bulk" ? { bulkThreshold: 1 } : { bulkThreshold: Number.MAX_SAFE_INTEGER };
  const connector = openSalesforce(
    {
      instanceUrl: info.url,
      credentials: {
        kind: "oauth_refresh",
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        refreshToken: info.refreshToken,
      },
    },
    {},
    tuning,
  );
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let records = 0;
  let pages = 0;
  let firstPageMs = 0;
  for await (const p of connector.read({ object: "Contact", window: { from: 0, to: START } })) {
    if (pages++ === 0) firstPageMs = performance.now() - t0;
    records += p.records.length + p.deletions.length;
  }
  const cpu = process.cpuUsage(cpu0);
  const result: ReadResult = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    mode,
    records,
    ms: performance.now() - t0,
    firstPageMs,
    pages,
    rssKb: peakKb(),
  };
  await connector.close();
  process.send?.({ result });
  process.exit(0);
}

function spawn(args: string[]): ChildProcess {
  return fork(self, args, { execArgv: ["--import", "tsx"], stdio: "inherit" });
}
async function main(): Promise<void> {
  const contacts = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const only = process.argv.find((a) => a.endsWith("-only"));
  const people = Math.ceil(contacts / 0.6); // Contacts are 60% of the population
  const t0 = performance.now();
  const sandbox = spawn(["--sandbox", String(people)]);
  const info = await nextMessage<SandboxInfo>(sandbox, "info");
  console.log(
    `sandbox: ${info.contacts.toLocaleString("en-US")} Contacts, started in ${Math.round(performance.now() - t0)} ms`,
  );
  const modes = (["rest", "bulk"] as const).filter((m) => !only || only === `--${m}-only`);
  for (const mode of modes) {
    const child = spawn(["--read", mode, JSON.stringify(info)]);
    const r = await nextMessage<ReadResult>(child, "result");
    sandbox.send("rss");
    const sandboxKb = await nextMessage<number>(sandbox, "rssKb");
    const rate = Math.round((r.records / r.ms) * 1000).toLocaleString("en-US");
    console.log(
      `${mode.padEnd(4)}: ${r.records.toLocaleString("en-US")} records in ${(r.ms / 1000).toFixed(1)} s = ${rate} records/s; ` +
        `${r.pages} pages, first page after ${(r.firstPageMs / 1000).toFixed(1)} s; ` +
        `connector CPU ${(r.cpuMs / 1000).toFixed(1)} s (${Math.round((r.records / r.cpuMs) * 1000).toLocaleString("en-US")} records per CPU-s); ` +
        `peak RSS connector ${mb(r.rssKb)}, sandbox ${mb(sandboxKb)} (so far)`,
    );
  }
  sandbox.send("exit");
}

const [flag, a, b] = process.argv.slice(2);
if (flag === "--sandbox") await sandboxChild(Number(a));
else if (flag === "--read") await readChild(a as "rest" | "bulk", JSON.parse(b!) as SandboxInfo);
else await main();
