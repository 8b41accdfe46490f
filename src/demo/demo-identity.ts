import type { Server } from "../main.ts";
import { DEMO_SOURCES } from "./demo-sources.ts";

/** One held record: its source, the person behind it (the sandbox's truth) and its profile. */
export interface HeldRecord {
  source: string;
  person: string;
  profile: string;
}

/** How well profiles unify people, against the truth. */
export interface IdentityScore {
  /** Distinct people behind the held records, those held from 2+ sources, and those of them in one profile. */
  people: number;
  peopleInSeveralSources: number;
  peopleUnified: number;
  /** Cross-source record pairs of one person, pairs in one profile, and both. */
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  /** correct / true and correct / predicted (1 when there is nothing to find or nothing predicted). */
  recall: number;
  precision: number;
}

/** Pairwise cross-source precision and recall of the profiles against the people behind the records. */
export function scoreIdentity(records: readonly HeldRecord[]): IdentityScore {
  const crossPairs = (bySource: Map<string, number>) => {
    let all = 0;
    let same = 0;
    for (const n of bySource.values()) {
      all += n;
      same += n * n;
    }
    return (all * all - same) / 2;
  };
  const pairs = (key: (r: HeldRecord) => string) => {
    const groups = new Map<string, Map<string, number>>();
    for (const r of records) {
      const m = groups.get(key(r)) ?? new Map<string, number>();
      m.set(r.source, (m.get(r.source) ?? 0) + 1);
      groups.set(key(r), m);
    }
    let n = 0;
    for (const m of groups.values()) n += crossPairs(m);
    return n;
  };
  const truePairs = pairs((r) => r.person);
  const predictedPairs = pairs((r) => r.profile);
  const correctPairs = pairs((r) => `${r.person}\u0000${r.profile}`);
  const sources = new Map<string, Set<string>>();
  const profiles = new Map<string, Set<string>>();
  for (const r of records) {
    sources.set(r.person, (sources.get(r.person) ?? new Set()).add(r.source));
    profiles.set(r.person, (profiles.get(r.person) ?? new Set()).add(r.profile));
  }
  const several = [...sources].filter(([, s]) => s.size > 1).map(([p]) => p);
  return {
    people: sources.size,
    peopleInSeveralSources: several.length,
    peopleUnified: several.filter((p) => profiles.get(p)!.size === 1).length,
    truePairs,
    predictedPairs,
    correctPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
  };
}

/**
 * The demo's profiles scored against the sandboxes' ground truth (`/__sandbox/truth/{object}` names the
 * person behind every record): the records the domain holds, by the person behind each and its profile.
 */
export async function identityAgainstTruth(
  server: Server,
  domain: string,
  sandboxes: Record<string, string>,
): Promise<IdentityScore> {
  const stored = await server.profileService.placements(domain);
  const profileOf = new Map(stored.map((r) => [`${r.objectTypeName}\u0000${r.objectKey}`, r.profileId]));
  const records: HeldRecord[] = [];
  for (const s of DEMO_SOURCES) {
    const url = sandboxes[s.vendor];
    if (!url) continue;
    for (let offset: number | null = 0; offset !== null; ) {
      const res = await fetch(`${url}/__sandbox/truth/${s.object}?offset=${offset}&limit=10000`);
      const page = (await res.json()) as {
        records: { id: string; personId: string }[];
        nextOffset: number | null;
      };
      for (const r of page.records) {
        const profile = profileOf.get(`${s.objectTypeName}\u0000${r.id}`);
        if (profile !== undefined) records.push({ source: s.vendor, person: r.personId, profile });
      }
      offset = page.nextOffset;
    }
  }
  return scoreIdentity(records);
}
