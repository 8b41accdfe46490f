import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import type { MatchingRules, MatchValue } from "../../ingest/matching/matching-rules.ts";
import type { DomainBoxes } from "../domain-sealer.ts";
import { candidateProfiles } from "./candidate-profiles.ts";
import { chooseMain } from "./choose-main.ts";
import { anyCandidate, holdersOf } from "./holders-of.ts";
import type { ProfileFacts } from "./load-profiles.ts";
import type { KnownValues, MatchPass } from "./match-pass.ts";
import { type GroupMerge, mergeGroupsIn } from "./merge-groups.ts";
import { recordMatches } from "./record-matches.ts";
import {
  DEFAULT_GUARDS,
  findRuleEdges,
  type MatchGuards,
  mergeGroups,
  type RuleEdge,
} from "./rule-matcher.ts";
import { subjectValues } from "./subject-values.ts";
import { unmergedPairs } from "./unmerged-pairs.ts";
import { holderCache, lookupHolders } from "./value-holders.ts";

/** Who rule-based merges are performed by, in history. */
export const RULE_MATCHING_ACTOR = "rule-based-matching";

/** What one matching pass did. */
export interface MatchOutcome {
  /** Merges made (each joins a group of two or more profiles). */
  merges: number;
  /** Profiles deleted by those merges. */
  profilesMerged: number;
  /** Matches recorded without a merge (listed by ListRuleBasedMatches). */
  matches: number;
  /** Each profile merged away → the profile it now is part of. */
  mainOf: Map<string, string>;
}

const MAX_ROUNDS = 4;

/**
 * Rule-based matching of the given profiles inside the caller's transaction (which holds the domain
 * lock): their matching values are looked up by index, rules evaluated with the guards, groups merged
 * (cause recorded), matches that are not merged recorded. A merged profile holds the union of its
 * parts' values, so the pass repeats for the merged profiles until nothing more joins.
 */
export async function matchProfiles(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  rules: MatchingRules,
  profileIds: readonly string[],
  now: number,
  /** The domain's boxes (fetched once by the caller): profile fields and match details are sealed in them. */
  boxes: DomainBoxes,
  guards?: MatchGuards,
  /** What the calling ingest batch already knows: not read or computed again. */
  known: KnownValues = {},
): Promise<MatchOutcome> {
  const outcome: MatchOutcome = { merges: 0, profilesMerged: 0, matches: 0, mainOf: new Map() };
  if (!rules.enabled || profileIds.length === 0) return outcome;
  const pass: MatchPass = { trx, dialect, domainName, boxes, rules, now, guards, known, recorded: new Map() };
  const cap = (guards ?? DEFAULT_GUARDS).maxProfilesPerValue + 1;
  const cachedHolders = holderCache(cap, outcome.mainOf);
  let subjects = [...new Set(profileIds)];
  for (let round = 0; round < MAX_ROUNDS && subjects.length > 0; round++) {
    const values = await subjectValues(pass, subjects, round === 0 ? known.profiles : undefined);
    const owners = await holdersOf(values, (pairs) =>
      cachedHolders(pairs, (missing) =>
        lookupHolders(trx, dialect, { domainName, boxes }, missing, cap, known.raw),
      ),
    );
    // Most batches of new people find nobody: then there is nothing to read, weigh or merge.
    if (!anyCandidate(values, owners)) break;
    subjects = await matchRound(pass, subjects, values, owners, outcome);
  }
  return outcome;
}

/**
 * One round: the candidates' profiles read, the rules weighed, the groups merged and the held matches
 * recorded. Returns the profiles merged into (the next round's subjects).
 */
async function matchRound(
  pass: MatchPass,
  subjects: readonly string[],
  values: Map<string, MatchValue[]>,
  owners: Map<string, Set<string>>,
  outcome: MatchOutcome,
): Promise<string[]> {
  const { trx, dialect, domainName, boxes, rules, now } = pass;
  const { profiles, existing } = await candidateProfiles(pass, subjects, owners);
  const fields = new Map([...profiles].map(([id, p]) => [id, p.fields]));
  const edges = findRuleEdges(rules, { subjects: values, owners, fields }, pass.guards);
  const apart = await unmergedPairs(trx, dialect, domainName, [...existing]);
  for (const e of edges) if (apart.has(`${e.a}\u0000${e.b}`)) e.hold = "UNMERGED";
  const plan = await planMerges(pass, mergeGroups(edges, fields, apart), profiles, outcome);
  await mergeGroupsIn(trx, dialect, { domainName, boxes }, plan.merges, RULE_MATCHING_ACTOR, now);
  const held = edges.filter((e) => e.hold && e.hold !== "UNMERGED");
  outcome.matches += await recordMatches(pass, held, plan.mainOf);
  return plan.mains;
}

/**
 * Each group's main profile (chooseMain) and its merge with the cause; the pass's outcome counts them
 * and follows merged profiles to their new main.
 */
async function planMerges(
  pass: MatchPass,
  groups: ReturnType<typeof mergeGroups>,
  profiles: ReadonlyMap<string, ProfileFacts>,
  outcome: MatchOutcome,
): Promise<{ mainOf: Map<string, string>; mains: string[]; merges: GroupMerge[] }> {
  const mainOf = new Map<string, string>();
  const mains: string[] = [];
  const merges: GroupMerge[] = [];
  for (const g of groups) {
    const { trx, dialect, domainName, rules } = pass;
    const main = await chooseMain(trx, dialect, domainName, rules.conflict, g.members, profiles);
    const merged = g.members.filter((m) => m !== main);
    merges.push({ mainId: main, mergedIds: merged, cause: causeOf(g.edges) });
    for (const m of g.members) mainOf.set(m, main);
    for (const m of merged) outcome.mainOf.set(m, main);
    // Profiles merged earlier into one merged now follow it.
    for (const [from, to] of outcome.mainOf) if (merged.includes(to)) outcome.mainOf.set(from, main);
    mains.push(main);
    outcome.merges++;
    outcome.profilesMerged += merged.length;
  }
  return { mainOf, mains, merges };
}

/** The history/merge cause of a group: each link with its rule level, attributes and agreeing values. */
function causeOf(edges: readonly RuleEdge[]): Record<string, unknown> {
  return {
    Type: "RULE_BASED_MATCHING",
    Links: edges.map((e) => ({ ProfileIds: [e.a, e.b], RuleLevel: e.level, Rule: e.rule, Values: e.values })),
  };
}
