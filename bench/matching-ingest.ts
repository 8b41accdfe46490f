/**
 * What rule-based matching costs the ingest path: N synthetic people as Salesforce Contacts, then half of
 * them again as Zendesk users (email in another case, phone in another format, no shared key), ingested in
 * process through the batch entry point (ProfileIngestor.ingestObjects), once with matching off and once
 * with the recommended RuleBasedMatching (every Zendesk user then merges into its contact). Prints
 * objects/s and objects per CPU-second per phase; asserts nothing.
 *
 *   npx tsx bench/matching-ingest.ts [--people 50000] [--batch 2000] [--only sqlite|postgres]
 * PostgreSQL: PROFILEFLOW_BENCH_DATABASE_URL, else postgres://app:app@127.0.0.1:5432/app_test; skipped
 * when unreachable.
 */
import { parseArgs } from "node:util";
import { CreateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../src/ingest/matching/recommended-matching.ts";
import { type BenchDialect, benchDialects, loadAverage, withBenchServer } from "./shared/bench-server.ts";
import { personContact, personZendeskUser } from "./shared/people.ts";

const { values: args } = parseArgs({
  options: {
    people: { type: "string", default: "50000" },
    batch: { type: "string", default: "2000" },
    only: { type: "string" },
  },
});
const PEOPLE = Number(args.people);
const BATCH = Number(args.batch);

const contact = (i: number) => personContact(i, (p) => `+1 ${p.slice(0, 3)} ${p.slice(3, 6)} ${p.slice(6)}`);

async function phase(
  ingest: (batch: unknown[]) => Promise<unknown>,
  count: number,
  make: (i: number) => unknown,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (let from = 0; from < count; from += BATCH) {
    await ingest(Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => make(from + k)));
  }
  const cpu = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function run(dialect: BenchDialect, matching: boolean): Promise<void> {
  await withBenchServer(dialect, "pf_bench_match", async ({ server, newClient }) => {
    const client = newClient();
    const DomainName = "bench";
    await client.send(
      new CreateDomainCommand({
        DomainName,
        DefaultExpirationDays: 365,
        ...(matching ? { RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never } : {}),
      }),
    );
    const ingestor = server.profiles.ingestor;
    const a = await phase(
      (b) => ingestor.ingestObjects(DomainName, "Salesforce-Contact", b),
      PEOPLE,
      contact,
    );
    const half = Math.floor(PEOPLE / 2);
    const b = await phase(
      (b) => ingestor.ingestObjects(DomainName, "Zendesk-users", b),
      half,
      personZendeskUser,
    );
    const profiles = await server.database.db
      .selectFrom("profiles")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("domain_name", "=", DomainName)
      .executeTakeFirstOrThrow();
    const fmt = (label: string, n: number, p: { seconds: number; cpuSeconds: number }) =>
      `${label} ${n} in ${p.seconds.toFixed(1)} s = ${Math.round(n / p.seconds)}/s (${Math.round(n / p.cpuSeconds)} per CPU-s)`;
    console.log(
      `${dialect}, matching ${matching ? "on (recommended)" : "off"}: ${fmt("contacts", PEOPLE, a)}; ${fmt("zendesk users", half, b)};`,
      `${Number(profiles.n)} profiles; load average ${loadAverage()}`,
    );
  });
}

for (const dialect of benchDialects(args.only)) {
  for (const matching of [false, true]) await run(dialect, matching);
}
