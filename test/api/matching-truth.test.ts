import { afterAll, beforeAll, expect, it } from "vitest";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../../src/ingest/matching/recommended-matching.ts";
import { type Sandboxes, startSandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { CLOCK_BEHIND_MS, serverOn } from "../e2e/integration-harness.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";
import { formatScore, ingestPopulation, scoreAgainstTruth } from "./matching-truth.ts";

describeEachDialect("identity resolution against the sandbox's ground truth", (dialect) => {
  let sandboxes: Sandboxes;
  let t: TestServer;
  beforeAll(async () => {
    sandboxes = await startSandboxes({
      seed: 15,
      people: 400,
      clock: { start: Date.now() - CLOCK_BEHIND_MS },
    });
    t = await serverOn(dialect, sandboxes.world.clock);
  });
  afterAll(async () => {
    await t?.close();
    await sandboxes?.close();
  });

  it("the recommended rule-based matching unifies people across sources without joining two people", async () => {
    await ingestPopulation(t, sandboxes, "keys", undefined);
    await ingestPopulation(t, sandboxes, "rules", { ...RECOMMENDED_RULE_BASED_MATCHING });
    const keys = await scoreAgainstTruth(t, sandboxes, "keys");
    const rules = await scoreAgainstTruth(t, sandboxes, "rules");
    console.log(
      `${formatScore(`${dialect} keys only`, keys)}\n${formatScore(`${dialect} recommended rules`, rules)}`,
    );
    expect(rules.truePairs).toBe(keys.truePairs);
    expect(rules.truePairs).toBeGreaterThan(100);
    // Keys alone join only records that carry another system's id.
    expect(keys.recall).toBeLessThan(0.7);
    expect(rules.recall).toBeGreaterThanOrEqual(0.98);
    expect(rules.precision).toBeGreaterThanOrEqual(0.999);
  }, 240_000);
});
