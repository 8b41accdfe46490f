/**
 * Zendesk at its real limit: every user read through the cursor export by the Zendesk connector (paced to its
 * default 8 export requests/min) from a sandbox enforcing the vendor's 10/min (rateLimitScale 1) on a wall-speed
 * clock, against the theoretical minimum: ceil(records / 1000) requests at 10/min, the first one free. The
 * sandbox runs in a child process so peak RSS is measured per process. Prints figures; asserts nothing.
 * Run: npx tsx bench/zendesk-read.ts [--people 6000 | --users N]
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { nextMessage } from "./shared/next-message.ts";

const self = fileURLToPath(import.meta.url);
const ZENDESK_SHARE = 0.4; // of the population (src/sandbox/population/population.ts)
const PER_PAGE = 1000; // the export's maximum page
const VENDOR_PER_MINUTE = 10; // the incremental export limit
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const peakKb = () => process.resourceUsage().maxRSS; // kilobytes on Linux
const n = (x: number) => x.toLocaleString("en-US");

interface SandboxInfo {
  url: string;
  email: string;
  apiToken: string;
  users: number;
  historyStart: number;
}
interface SandboxStats {
  rssKb: number;
  requests: number;
  rejected: number;
  early: number;
  violations: number;
}

/** Child: the Zendesk sandbox on a wall-speed clock at the real limit; answers "stats" and "exit". */
async function sandboxChild(people: number): Promise<void> {
  const { startZendeskSandbox } = await import("../src/sandbox/zendesk/start-zendesk-sandbox.ts");
  const sb = await startZendeskSandbox({ seed: 7, people, clock: { speed: 1 } });
  sb.world.setKnobs({ rateLimitScale: 1 });
  const users = sb.world.store("zendesk", "users")?.size ?? 0;
  const c = sb.credentials;
  const info: SandboxInfo = {
    url: sb.url,
    email: c.email,
    apiToken: c.apiToken,
    users,
    historyStart: sb.world.historyStart,
  };
  process.send?.({ info });
  process.on("message", async (m) => {
    if (m === "stats") process.send?.({ stats: { rssKb: peakKb(), ...sb.world.meter.counters() } });
    if (m === "exit") {
      await sb.close();
      process.exit(0);
    }
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { people: { type: "string" }, users: { type: "string" } },
    strict: false,
  });
  const people = values.users
    ? Math.ceil(Number(values.users) / ZENDESK_SHARE)
    : Number(values.people ?? 6000);
  const sandbox = fork(self, ["--sandbox", String(people)], {
    execArgv: ["--import", "tsx"],
    stdio: "inherit",
  });
  const info = await nextMessage<SandboxInfo>(sandbox, "info");
  console.log(
    `sandbox: ${n(people)} people -> ${n(info.users)} Zendesk users, rate-limit scale 1 (10 exports/min)`,
  );

  const { openZendesk } = await import("../src/connectors/zendesk/index.ts");
  const connector = openZendesk({
    instanceUrl: info.url,
    credentials: { kind: "api_token", email: info.email, token: info.apiToken },
  });
  const t0 = performance.now();
  let records = 0;
  let pages = 0;
  for await (const p of connector.read({
    object: "users",
    window: { from: info.historyStart, to: Date.now() },
  })) {
    pages++;
    records += p.records.length + p.deletions.length;
  }
  const ms = performance.now() - t0;
  await connector.close();
  sandbox.send("stats");
  const stats = await nextMessage<SandboxStats>(sandbox, "stats");
  sandbox.send("exit");

  const requests = Math.ceil(records / PER_PAGE);
  const minMs = (Math.max(0, requests - 1) * 60_000) / VENDOR_PER_MINUTE;
  const ratio = minMs > 0 ? (ms / minMs).toFixed(2) : "n/a";
  console.log(
    `read: ${n(records)} records, ${pages} pages in ${(ms / 1000).toFixed(1)} s = ${n(Math.round((records / ms) * 1000))} records/s`,
  );
  console.log(
    `theoretical minimum: ${requests} requests at ${VENDOR_PER_MINUTE}/min (first free) = ${(minMs / 60_000).toFixed(2)} min ` +
      `(${(minMs / 1000).toFixed(1)} s); actual/minimum = ${ratio}`,
  );
  console.log(
    `sandbox: ${stats.requests} limiter checks (account + export), ${stats.violations} violations (${stats.rejected} refused, ${stats.early} early)`,
  );
  console.log(`peak RSS: connector ${mb(peakKb())}, sandbox ${mb(stats.rssKb)}`);
}

const [flag, a] = process.argv.slice(2);
if (flag === "--sandbox") await sandboxChild(Number(a));
else await main();
