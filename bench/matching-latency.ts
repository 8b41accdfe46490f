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
import { parseArgs } from "node:util";
import {
  CreateDomainCommand,
  PutProfileObjectCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../src/ingest/matching/recommended-matching.ts";
import {
  type BenchDialect,
  benchDialects,
  loadAverage,
  percentile,
  withBenchServer,
} from "./shared/bench-server.ts";
import { personContact, personZendeskUser } from "./shared/people.ts";

const { values: args } = parseArgs({
  options: {
    profiles: { type: "string", default: "200000" },
    puts: { type: "string", default: "300" },
    only: { type: "string" },
  },
});
const PROFILES = Number(args.profiles);
const PUTS = Number(args.puts);

async function run(dialect: BenchDialect): Promise<void> {
  await withBenchServer(dialect, "pf_bench_latency", async ({ server, newClient }) => {
    const DomainName = "bench";
    const setup = newClient();
    await setup.send(
      new CreateDomainCommand({
        DomainName,
        DefaultExpirationDays: 365,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    const started = performance.now();
    for (let from = 0; from < PROFILES; from += 5000) {
      const batch = Array.from({ length: Math.min(5000, PROFILES - from) }, (_, k) =>
        personContact(from + k),
      );
      await server.profiles.ingestor.ingestObjects(DomainName, "Salesforce-Contact", batch);
    }
    const loadSeconds = (performance.now() - started) / 1000;
    // A client of its own: the load kept this process busy past the server's keep-alive timeout, so the
    // first client's pooled connection may be closed under it (ECONNRESET on reuse).
    const client = newClient();
    const latencies: number[] = [];
    for (let k = 0; k < PUTS; k++) {
      const i = Math.floor((k * PROFILES) / PUTS);
      const t0 = performance.now();
      await client.send(
        new PutProfileObjectCommand({
          DomainName,
          ObjectTypeName: "Zendesk-users",
          Object: JSON.stringify(personZendeskUser(i)),
        }),
      );
      latencies.push(performance.now() - t0);
      const found = await client.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_zendeskUserId", Values: [String(900000000 + i)] }),
      );
      if (found.Items?.[0]?.Attributes?.["sfdcContactId"] !== personContact(i).Id)
        throw new Error(`Zendesk user ${i} was not merged into its contact`);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `${dialect}: ${PROFILES} profiles loaded in ${loadSeconds.toFixed(1)} s (matching on);`,
      `${PUTS} PutProfileObject that each merge, visible on return: p50 ${percentile(latencies, 50).toFixed(1)} ms,`,
      `p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; load average ${loadAverage()}`,
    );
  });
}

for (const dialect of benchDialects(args.only)) await run(dialect);
