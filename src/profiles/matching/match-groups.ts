import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { bothProfilesExist } from "./live-matches.ts";

/** A group of profiles a job's matches link (GetMatches' MatchItem). */
export interface MatchGroup {
  /** 32 hex digits from the sorted profile ids: a pair's is matchIdOf's, so a two-profile group keeps its id. */
  matchId: string;
  /** Best-linked first: the profiles in the order the strongest links reached them. */
  profileIds: string[];
  /** The weakest link that holds the group together (of its best links): how sure the group is, as a whole. */
  score: number;
}

/** The MatchId of a group of profiles: the same whatever their order. */
export function groupIdOf(profileIds: readonly string[]): string {
  return createHash("sha256")
    .update([...profileIds].sort().join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

/**
 * The groups a set of scored pairs links (connected components), built strongest link first (a
 * maximum spanning forest): a group's score is its weakest link in that forest, so a group of three
 * held together by 0.999 and 0.95 says 0.95. Ordered best group first, then by MatchId. A group's
 * profiles are in the order its links joined them (the first link's two, then each joined group's
 * after them). Union by size with linked member lists: a join costs O(1) whichever group is larger,
 * so one component of n profiles takes O(n log n) (its pairs' sort), not O(n²).
 */
export function groupMatches(
  pairs: readonly { profileA: string; profileB: string; score: number }[],
): MatchGroup[] {
  // Strongest first, then by the two ids (each pair's key computed once, not per comparison).
  const keyed = pairs.map((p) => ({ p, key: p.profileA + p.profileB }));
  keyed.sort((x, y) => y.p.score - x.p.score || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const parent = new Map<string, string>();
  const root = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; y !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  /** Each profile's successor in its group's member list (the list runs head → tail). */
  const next = new Map<string, string>();
  /** The groups by root: their list's ends, size and weakest link. */
  const sets = new Map<string, { head: string; tail: string; size: number; score: number }>();
  for (const { p } of keyed) {
    for (const id of [p.profileA, p.profileB]) {
      if (parent.has(id)) continue;
      parent.set(id, id);
      sets.set(id, { head: id, tail: id, size: 1, score: 1 });
    }
    const a = root(p.profileA);
    const b = root(p.profileB);
    if (a === b) continue;
    const ga = sets.get(a)!;
    const gb = sets.get(b)!;
    // Members: a's, then b's (as before); the root: the larger group's, so finds stay short.
    next.set(ga.tail, gb.head);
    const joined = {
      head: ga.head,
      tail: gb.tail,
      size: ga.size + gb.size,
      score: Math.min(ga.score, gb.score, p.score),
    };
    const [keep, drop] = ga.size >= gb.size ? [a, b] : [b, a];
    parent.set(drop, keep);
    sets.delete(drop);
    sets.set(keep, joined);
  }
  const groups: MatchGroup[] = [];
  for (const g of sets.values()) {
    if (g.size < 2) continue;
    const ids: string[] = [];
    for (let id: string | undefined = g.head; id !== undefined; id = id === g.tail ? undefined : next.get(id))
      ids.push(id);
    groups.push({ matchId: groupIdOf(ids), profileIds: ids, score: g.score });
  }
  return groups.sort((x, y) => y.score - x.score || (x.matchId < y.matchId ? -1 : 1));
}

/** Profiles a group read for one profile may hold (a chain longer than this is cut). */
const MAX_GROUP = 200;

/**
 * The group of a job's matches that holds `profileId` (GetSimilarProfiles), found by following its
 * links a ring at a time (one query per ring, by index), not by reading every match; undefined when
 * the job matched it to nothing.
 */
export async function matchGroupOf(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  profileId: string,
): Promise<MatchGroup | undefined> {
  const seen = new Set([profileId]);
  const edges = new Map<string, { profileA: string; profileB: string; score: number }>();
  for (let ring = [profileId]; ring.length > 0 && seen.size < MAX_GROUP; ) {
    const rows = await db
      .selectFrom("ml_matches as m")
      .select(["m.match_id", "m.profile_a", "m.profile_b", "m.score"])
      .where("m.domain_name", "=", domainName)
      .where("m.job_id", "=", jobId)
      .where((eb) => eb.or([eb("m.profile_a", "in", ring), eb("m.profile_b", "in", ring)]))
      .where(bothProfilesExist())
      .execute();
    const next: string[] = [];
    for (const r of rows) {
      edges.set(r.match_id, { profileA: r.profile_a, profileB: r.profile_b, score: Number(r.score) });
      for (const id of [r.profile_a, r.profile_b]) {
        if (seen.has(id) || seen.size >= MAX_GROUP) continue;
        seen.add(id);
        next.push(id);
      }
    }
    ring = next;
  }
  return groupMatches([...edges.values()]).find((g) => g.profileIds.includes(profileId));
}
