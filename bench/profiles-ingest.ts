/**
 * Profiles ingestion benchmark: for SQLite and PostgreSQL, ingests N synthetic Salesforce-Contact
 * objects in process through the batch entry point (ProfileIngestor.ingestObjects), then measures
 * SearchProfiles latency over HTTP with the real SDK. Prints figures; asserts nothing.
 *
 *   npx tsx bench/profiles-ingest.ts [--objects 200000] [--batch 2000] [--searches 2000] [--only sqlite|postgres]
 * PostgreSQL comes from PROFILEFLOW_BENCH_DATABASE_URL (a role that may CREATE DATABASE), else the
 * test default postgres://app:app@127.0.0.1:5432/app_test; it is skipped when unreachable.
 */
import { parseArgs } from "node:util";
import { CreateDomainCommand, SearchProfilesCommand } from "@aws-sdk/client-customer-profiles";
import {
  type BenchDialect,
  benchDialects,
  loadAverage,
  percentile,
  withBenchServer,
} from "./shared/bench-server.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "200000" },
    batch: { type: "string", default: "2000" },
    searches: { type: "string", default: "2000" },
    only: { type: "string" },
  },
});
const OBJECTS = Number(args.objects);
const BATCH = Number(args.batch);
const SEARCHES = Number(args.searches);

/** A Salesforce Contact as the REST API returns it; 1 in 50 shares an account with its neighbours. */
function contact(i: number): Record<string, unknown> {
  const id = `003${i.toString(36).padStart(12, "0")}`;
  return {
    Id: id,
    AccountId: `001${Math.floor(i / 50)
      .toString(36)
      .padStart(12, "0")}`,
    FirstName: `First${i % 997}`,
    LastName: `Last${i}`,
    Email: `person${i}@example.com`,
    Phone: `+1 415 ${String(5550000 + (i % 9999)).replace(/(\d{3})(\d{4})/, "$1 $2")}`,
    MailingStreet: `${i} Market St`,
    MailingCity: "San Francisco",
    MailingState: "CA",
    MailingPostalCode: "94105",
    MailingCountry: "US",
    SystemModstamp: "2024-01-15T10:20:30.000+0000",
  };
}

async function run(dialect: BenchDialect): Promise<void> {
  await withBenchServer(dialect, "pf_bench", async ({ server, newClient }) => {
    let client = newClient();
    const DomainName = "bench";
    await client.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const ingestor = server.profiles.ingestor;
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let accepted = 0;
    for (let from = 0; from < OBJECTS; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, OBJECTS - from) }, (_, k) => contact(from + k));
      const r = await ingestor.ingestObjects(DomainName, "Salesforce-Contact", batch);
      accepted += r.accepted;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
    console.log(
      `${dialect}: ingested ${OBJECTS} in ${seconds.toFixed(1)} s = ${Math.round(OBJECTS / seconds)} objects/s;`,
      // On a shared machine wall time depends on the load; CPU time of this process much less so.
      `CPU ${cpuSeconds.toFixed(1)} s = ${Math.round(OBJECTS / cpuSeconds)} objects per CPU-second;`,
      `peak RSS ${mb(peakRss)} MB; load average ${loadAverage()}`,
    );
    // A fresh client: the first one's kept-alive socket has idled out during the long ingestion.
    client.destroy();
    client = newClient();
    const latencies: number[] = [];
    for (let s = 0; s < SEARCHES; s++) {
      const i = Math.floor(Math.random() * OBJECTS);
      const t0 = performance.now();
      const out = await client.send(
        new SearchProfilesCommand({
          DomainName,
          KeyName: "_salesforceContactId",
          Values: [contact(i).Id as string],
        }),
      );
      latencies.push(performance.now() - t0);
      if (out.Items?.length !== 1) throw new Error(`search ${i} found ${out.Items?.length} profiles`);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      [
        `${dialect}:`,
        `${OBJECTS} Salesforce-Contact objects (batches of ${BATCH}) in ${seconds.toFixed(1)} s`,
        `= ${Math.round(OBJECTS / seconds)} objects/s (${accepted} accepted; ${Math.round(OBJECTS / cpuSeconds)} per CPU-second);`,
        `peak RSS ${mb(peakRss)} MB (process max ${mb(process.resourceUsage().maxRSS * 1024)} MB);`,
        `SearchProfiles over HTTP (${SEARCHES} by _salesforceContactId): p50 ${percentile(latencies, 50).toFixed(2)} ms,`,
        `p99 ${percentile(latencies, 99).toFixed(2)} ms`,
      ].join(" "),
    );
  });
}

for (const dialect of benchDialects(args.only)) await run(dialect);
