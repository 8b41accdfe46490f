import { explainComparison } from "../../ingest/matching/fellegi-sunter.ts";
import { type Linkage, linkRecords } from "../../ingest/matching/link-records.ts";
import type { LinkageRecord } from "../../ingest/matching/linkage-record.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import { insertMatches, type MlMatch, type updateJob } from "./identity-resolution-store.ts";
import { knownMatches } from "./known-matches.ts";
import { matchIdOf } from "./match-id.ts";
import { sharedValues } from "./shared-values.ts";
import { unmergedPairs } from "./unmerged-pairs.ts";

/** Pairs at least this likely to be one person are recorded as matches (GetMatches). */
export const MIN_MATCH_SCORE = 0.5;

/**
 * FIND_MATCHING: links the records (the pairs kept apart separated, the profiles' own records as known
 * matches) and stores the pairs and the model under the job; undefined when `signal` fired.
 */
export async function findMatches(
  database: IngestDatabase,
  domain: SealedDomain,
  jobId: string,
  records: LinkageRecord[],
  set: (patch: Parameters<typeof updateJob>[3]) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<Linkage | undefined> {
  const { db, dialect } = database;
  const { domainName } = domain;
  const shared = sharedValues(records);
  const isShared = (kind: "email" | "phone", v: string) => shared.has(`${kind}:${v}`);
  const apart = await unmergedPairs(
    db,
    dialect,
    domainName,
    records.map((r) => r.id),
  );
  const positives = await knownMatches(database, domain, records, isShared);
  const linkage = await linkRecords(records, isShared, {
    minScore: MIN_MATCH_SCORE,
    positives,
    separate: (a, b) => apart.has(pairText(records[a]!.id, records[b]!.id)),
    ...(signal ? { signal } : {}),
  });
  if (!linkage) return undefined;
  // Matches are stored under the job; GetMatches shows them once the job is COMPLETED.
  await db
    .deleteFrom("ml_matches")
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .execute();
  await insertMatches(db, dialect, domainName, jobId, matchesOf(records, linkage));
  await set({
    matches_found: linkage.pairs.length,
    model: JSON.stringify({
      ...linkage.model,
      candidates: linkage.candidates,
      knownPairs: total(positives),
    }),
  });
  return linkage;
}

const total = (counts: ReadonlyMap<number, number>) => [...counts.values()].reduce((s, n) => s + n, 0);

const pairText = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function matchesOf(records: readonly LinkageRecord[], linkage: Linkage): MlMatch[] {
  return linkage.pairs.map((p) => {
    const a = records[p.a]!.id;
    const b = records[p.b]!.id;
    const [profileA, profileB] = a < b ? [a, b] : [b, a];
    return {
      matchId: matchIdOf(a, b),
      profileA,
      profileB,
      score: p.score,
      detail: { Comparison: p.comparison, Fields: explainComparison(linkage.model, p.comparison) },
    };
  });
}
