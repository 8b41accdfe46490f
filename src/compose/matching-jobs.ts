import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { Executor } from "../flows/executor.ts";
import type { DomainSealer } from "../profiles/domain-sealer.ts";
import type { IngestDatabase } from "../profiles/ingest-types.ts";
import { backfillStep } from "../profiles/matching/matching-backfill.ts";
import { matchingState, resetMatchingState } from "../profiles/matching/matching-state.ts";
import type { DomainMatching } from "../services/domain-service.ts";

/** The executor task that matches the profiles a domain held when its matching settings changed. */
export const MATCHING_BACKFILL_TASK = "matching-backfill";

/**
 * Wires rule-based matching's backfill into the executor: new settings reset the domain's matching
 * state and, when it holds profiles, queue one job (keyed per domain, so a newer setting replaces a
 * waiting job). The job runs short steps, each its own transaction under the domain lock, so
 * ingestion interleaves with it; it yields when the executor drains and resumes from its cursor.
 */
export function composeMatching(d: {
  database: IngestDatabase;
  executor: Executor;
  clock: Clock;
  logger: Logger;
  /** The domains' data keys: the backfill reads sealed fields and writes sealed merges. */
  sealer?: DomainSealer;
}): DomainMatching {
  d.executor.define(MATCHING_BACKFILL_TASK, async (payload, context) => {
    const domain = String(payload["domain"]);
    const version = Number(payload["version"]);
    let steps = 0;
    while (await backfillStep(d.database, domain, version, d.clock.now(), undefined, d.sealer)) {
      steps++;
      if (context.signal.aborted) return { rerunAt: d.clock.now() };
    }
    d.logger.info({ domain, version, steps }, "rule-based matching backfill finished");
    return undefined;
  });
  return {
    // Inside the domain's transaction: the reset and its backfill job commit together, or neither.
    configuredIn: async (tx, domainName) => {
      const { version, status } = await resetMatchingState(tx, domainName, d.clock.now());
      if (status === "ACTIVE") return;
      await d.executor.enqueue(tx, {
        task: MATCHING_BACKFILL_TASK,
        payload: { domain: domainName, version },
        key: `matching:${domainName}`,
        keyMode: "replace",
        queue: `matching:${domainName}`,
      });
    },
    statusIn: async (q, domainName) => (await matchingState(q, domainName))?.status ?? "PENDING",
  };
}
