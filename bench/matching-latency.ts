/**
 * How soon a rule-based merge is visible: a domain holding N profiles (Salesforce Contacts of distinct
 * people, ingested in process with the recommended RuleBasedMatching on), then M PutProfileObject calls
 * over HTTP with the real SDK, each a Zendesk user who is one of those people (email in another case,
 * phone in another format, no shared key). The call returns after identity resolution and matching, so
 * its latency is the time until the merge is visible; each is checked with a search. Prints p50/p95/p99;
 * asserts nothing.
 *
 *   npx tsx bench/matching-latency.ts [--profiles 200000] [--puts 300] [--only sqlite|postgres]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CreateDomainCommand,
  CustomerProfilesClient,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { loadConfig } from "../src/config/config.ts";
import { createLogger } from "../src/core/logger.ts";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../src/ingest/matching/recommended-matching.ts";
import { composeServer } from "../src/main.ts";
import { freshPostgres } from "./shared/fresh-postgres.ts";

const { values: args } = parseArgs({
  options: {
    profiles: { type: "string", default: "200000" },
    puts: { type: "string", default: "300" },
    only: { type: "string" },
  },
});
const PROFILES = Number(args.profiles);
const PUTS = Number(args.puts);
const phone = (i: number) => String(4155000000 + i * 7);
const contact = (i: number) => ({
  Id: `003${i.toString(36).padStart(12, "0")}`,
  FirstName: `First${i % 997}`,
  LastName: `Last${i}`,
  Email: `person${i}@example.com`,
  Phone: phone(i),
  SystemModstamp: "2024-01-15T10:20:30.000+0000",
});
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(dialect: "sqlite" | "postgres"): Promise<void> {
  const pgdb = dialect === "postgres" ? await freshPostgres("pf_bench_latency") : undefined;
  if (dialect === "postgres" && !pgdb) return;
  const dataDir = mkdtempSync(join(tmpdir(), "pf-bench-"));
  const credentials = { accessKeyId: "AKIDPROFILEFLOWBENCH", secretAccessKey: "bench-secret" };
  const config = loadConfig({
    flags: { port: 0, dataDir, databaseUrl: pgdb?.url, logLevel: "silent", ...credentials },
  });
  const server = await composeServer(config, { logger: createLogger("silent") });
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const client = new CustomerProfilesClient({ endpoint, region: config.region, credentials, maxAttempts: 1 });
  const DomainName = "bench";
  try {
    await client.send(
      new CreateDomainCommand({
        DomainName,
        DefaultExpirationDays: 365,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    const started = performance.now();
    for (let from = 0; from < PROFILES; from += 5000) {
      const batch = Array.from({ length: Math.min(5000, PROFILES - from) }, (_, k) => contact(from + k));
      await server.profiles.ingestor.ingestObjects(DomainName, "Salesforce-Contact", batch);
    }
    const loadSeconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    for (let k = 0; k < PUTS; k++) {
      const i = Math.floor((k * PROFILES) / PUTS);
      const t0 = performance.now();
      await client.send(
        new PutProfileObjectCommand({
          DomainName,
          ObjectTypeName: "Zendesk-users",
          Object: JSON.stringify({
            id: 900000000 + i,
            email: ` PERSON${i}@Example.com`,
            phone: `(${phone(i).slice(0, 3)}) ${phone(i).slice(3, 6)}-${phone(i).slice(6)}`,
            updated_at: "2024-01-16T10:20:30Z",
          }),
        }),
      );
      latencies.push(performance.now() - t0);
      const found = await client.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_zendeskUserId", Values: [String(900000000 + i)] }),
      );
      if (found.Items?.[0]?.Attributes?.["sfdcContactId"] !== contact(i).Id)
        throw new Error(`Zendesk user ${i} was not merged into its contact`);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `${dialect}: ${PROFILES} profiles loaded in ${loadSeconds.toFixed(1)} s (matching on);`,
      `${PUTS} PutProfileObject that each merge, visible on return: p50 ${pct(latencies, 50).toFixed(1)} ms,`,
      `p95 ${pct(latencies, 95).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    client.destroy();
    await server.close();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

for (const dialect of ["sqlite", "postgres"] as const) {
  if (args.only && args.only !== dialect) continue;
  await run(dialect);
}
