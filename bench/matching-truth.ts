/**
 * Identity resolution against ground truth at the demo's size: the sandbox population (10,000 people by
 * default) ingested through real integrations of the demo's four person objects, once with keys only and
 * once with the recommended RuleBasedMatching (src/ingest/matching/recommended-matching.ts), each scored
 * pairwise across sources against `/__sandbox/truth`; then ML matching (an identity resolution job,
 * Fellegi–Sunter with EM weights) on the keys-only domain — its scores against the truth by band, then
 * auto-merging above --merge-above — and on the rules domain (what rules left). Prints figures and
 * times; asserts nothing.
 *
 *   npx tsx bench/matching-truth.ts [--people 10000] [--seed 7] [--dialect sqlite|postgres]
 *     [--only rules|keys] [--ml true|false] [--merge-above 0.99]
 * PostgreSQL: PROFILEFLOW_TEST_DATABASE_URL (a role that may CREATE DATABASE).
 */
import { parseArgs } from "node:util";
import { DEMO_SOURCES } from "../src/demo/demo-sources.ts";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../src/ingest/matching/recommended-matching.ts";
import { startSandboxes } from "../src/sandbox/start-sandboxes.ts";
import { calibration, formatCalibration, runMlJob } from "../test/api/matching-ml-truth.ts";
import { formatScore, ingestPopulation, scoreAgainstTruth } from "../test/api/matching-truth.ts";
import { CLOCK_BEHIND_MS, executions, serverOn } from "../test/e2e/integration-harness.ts";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "10000" },
    seed: { type: "string", default: "7" },
    dialect: { type: "string", default: "sqlite" },
    only: { type: "string" },
    "merge-above": { type: "string", default: "0.99" },
    ml: { type: "string", default: "true" },
  },
});
const people = Number(values.people);
/** The latest job's estimated model (λ, candidates, known pairs), as stored. */
const modelOf = async (domain: string) => {
  const row = await t.server.database.db
    .selectFrom("identity_resolution_jobs")
    .select("model")
    .where("domain_name", "=", domain)
    .orderBy("job_id", "desc")
    .executeTakeFirst();
  const m = JSON.parse(row?.model ?? "{}") as Record<string, unknown>;
  return JSON.stringify({
    lambda: m["lambda"],
    candidates: m["candidates"],
    knownPairs: m["knownPairs"],
    iterations: m["iterations"],
  });
};
const mergeAbove = Number(values["merge-above"]);
const dialect = values.dialect === "postgres" ? "postgres" : "sqlite";
const sandboxes = await startSandboxes({
  seed: Number(values.seed),
  people,
  clock: { start: Date.now() - CLOCK_BEHIND_MS },
});
const t = await serverOn(dialect, sandboxes.world.clock);
try {
  const runs: [string, Record<string, unknown> | undefined][] = [
    ["keys", undefined],
    ["rules", { ...RECOMMENDED_RULE_BASED_MATCHING }],
  ];
  for (const [domain, matching] of runs) {
    if (values.only && values.only !== domain) continue;
    const started = performance.now();
    // The server stamps executions with the sandboxes' clock (CLOCK_BEHIND_MS behind the wall clock).
    const epoch = sandboxes.world.clock.now();
    const cpuStart = process.cpuUsage();
    await ingestPopulation(t, sandboxes, domain, matching, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    // The process's CPU time (sandboxes, connectors and ingestion alike): steadier than wall time on a
    // shared machine.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    // Each flow's first run: when it started and ended (from the bench's start), and its records.
    const flows: string[] = [];
    for (const s of DEMO_SOURCES) {
      const run = (await executions(t, `${domain}-${s.flowName}`))[0];
      const at = (d: Date | undefined) => (d ? ((d.getTime() - epoch) / 1000).toFixed(1) : "–");
      flows.push(
        `${s.flowName} ${run?.executionResult?.recordsProcessed ?? 0} records ${at(run?.startedAt)}–${at(run?.lastUpdatedAt)} s`,
      );
    }
    const score = await scoreAgainstTruth(t, sandboxes, domain);
    const label = `${dialect}, ${people} people, ${domain === "keys" ? "keys only" : "recommended rules"}`;
    console.log(
      `${formatScore(label, score)}\n  ingest through the four integrations: ${seconds.toFixed(1)} s, ${cpuSeconds.toFixed(1)} CPU-s\n  first runs: ${flows.join("; ")}`,
    );
    if (values.ml !== "true") continue;
    // ML matching on the same domain: first review only (scores against the truth), then auto-merging.
    const what = domain === "keys" ? "ML on keys only" : "ML after the recommended rules";
    let started2 = performance.now();
    const review = await runMlJob(t, domain, undefined);
    const jobSeconds = (performance.now() - started2) / 1000;
    console.log(
      `${formatCalibration(`${dialect}, ${people} people, ${what}`, await calibration(t, sandboxes, domain))}\n` +
        `  job: ${JSON.stringify(review.JobStats)} in ${jobSeconds.toFixed(1)} s\n` +
        `  model: ${await modelOf(domain)}`,
    );
    started2 = performance.now();
    const merged = await runMlJob(t, domain, mergeAbove);
    const mergeSeconds = (performance.now() - started2) / 1000;
    const after = await scoreAgainstTruth(t, sandboxes, domain);
    console.log(
      `${formatScore(`${dialect}, ${people} people, ${what}, auto-merging ≥ ${mergeAbove}`, after)}\n` +
        `  job: ${JSON.stringify(merged.JobStats)} in ${mergeSeconds.toFixed(1)} s`,
    );
  }
} finally {
  await t.close();
  await sandboxes.close();
}
