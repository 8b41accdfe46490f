/**
 * How long an API call waits while a backfill ingests, on SQLite: the demo population (10,000 people by
 * default) ingested through the four integrations as bench/matching-truth.ts does, keys only or with the
 * recommended RuleBasedMatching, while GetDomain is called every 50 ms. Every request shares the one
 * SQLite connection, so a call waits for the ingest transaction in progress (a part of a page group:
 * docs/architecture.md, "Pages committed in parts"). Prints the calls' latency (p50, p99, max) and how
 * many waited more than 100 ms; asserts nothing.
 *
 *   npx tsx bench/api-stall.ts [--only keys|rules] [--people 10000] [--seed 7]
 */
import { parseArgs } from "node:util";
import { GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../src/ingest/matching/recommended-matching.ts";
import { startSandboxes } from "../src/sandbox/start-sandboxes.ts";
import { ingestPopulation } from "../test/api/matching-truth.ts";
import { CLOCK_BEHIND_MS, serverOn } from "../test/e2e/integration-harness.ts";
import { percentile } from "./shared/bench-server.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    people: { type: "string", default: "10000" },
    seed: { type: "string", default: "7" },
  },
});
const sandboxes = await startSandboxes({
  seed: Number(values.seed),
  people: Number(values.people),
  clock: { start: Date.now() - CLOCK_BEHIND_MS },
});
const t = await serverOn("sqlite", sandboxes.world.clock);
try {
  for (const mode of ["keys", "rules"] as const) {
    if (values.only && values.only !== mode) continue;
    let ingesting = true;
    const waits: number[] = [];
    const probe = (async () => {
      while (ingesting) {
        const sent = performance.now();
        // The domain may not exist yet: a refusal waits for the connection all the same.
        await t.profiles.send(new GetDomainCommand({ DomainName: mode })).catch(() => undefined);
        waits.push(performance.now() - sent);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const matching = mode === "rules" ? { ...RECOMMENDED_RULE_BASED_MATCHING } : undefined;
    try {
      await ingestPopulation(t, sandboxes, mode, matching, 30 * 60_000);
    } finally {
      ingesting = false;
      await probe;
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...waits].sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `sqlite, ${values.people} people, ${mode === "keys" ? "keys only" : "recommended rules"}: ingest ${seconds.toFixed(1)} s; ` +
        `GetDomain every 50 ms: ${sorted.length} calls, p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, ` +
        `max ${ms(sorted[sorted.length - 1] ?? 0)}, ${sorted.filter((w) => w > 100).length} over 100 ms`,
    );
  }
} finally {
  await t.close();
  await sandboxes.close();
}
