import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { type MatchingRules, type MatchValue, matchValues } from "../../ingest/matching/matching-rules.ts";
import { chunks, inValues, type RawSqlite } from "../bulk.ts";
import type { DomainBoxes } from "../domain-sealer.ts";
import { pairKey } from "../key-index.ts";
import { objectFieldsColumn, profileFieldsColumn } from "../leaves-columns.ts";
import type { Leaves } from "../profile-fields.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import { matchIdOf } from "./match-id.ts";
import { matchDetailColumn } from "./merge-columns.ts";
import { type GroupMerge, mergeGroupsIn } from "./merge-groups.ts";
import {
  DEFAULT_GUARDS,
  findRuleEdges,
  type Hold,
  type MatchGuards,
  mergeGroups,
  type RuleEdge,
} from "./rule-matcher.ts";
import { holderCache, lookupHolders, type Pair } from "./value-holders.ts";

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
  const pass: Pass = { trx, dialect, domainName, boxes, rules, now, guards, known, recorded: new Map() };
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
 * Who holds each of the subjects' values: every value is looked up (none is skipped by its projection
 * onto a smaller rule — see docs/matching.md).
 */
async function holdersOf(
  values: ReadonlyMap<string, readonly MatchValue[]>,
  read: (pairs: Pair[]) => Promise<Map<string, Set<string>>>,
): Promise<Map<string, Set<string>>> {
  const pairs: Pair[] = [];
  for (const vs of values.values())
    for (const v of vs) pairs.push({ name: v.keyName, value: v.value, stored: v.stored });
  return read(pairs);
}

/** What an ingest batch hands its matching pass. */
export interface KnownValues {
  /** Values of profiles the batch created (they hold only its objects). */
  profiles?: ReadonlyMap<string, MatchValue[]>;
  /** Values of the objects the batch wrote (of one type), by object key. */
  objects?: { typeName: string; values: ReadonlyMap<string, MatchValue[]> };
  /** SQLite's raw connection under the transaction: the holders are then probed with prepared statements. */
  raw?: RawSqlite | undefined;
}

/** What one matching pass works in: the transaction, the domain, its rules and guards. */
interface Pass {
  readonly trx: Kysely<Database>;
  readonly dialect: DialectName;
  readonly domainName: string;
  readonly boxes: DomainBoxes;
  readonly rules: MatchingRules;
  readonly now: number;
  readonly guards: MatchGuards | undefined;
  readonly known: KnownValues;
  /** Held matches this pass recorded (match id → level and hold): a later round finding one again keeps the row. */
  readonly recorded: Map<string, string>;
}

/** The subjects' matching values: read, except those the caller already knows (`given`). */
async function subjectValues(
  pass: Pass,
  subjects: readonly string[],
  given: ReadonlyMap<string, MatchValue[]> | undefined,
): Promise<Map<string, MatchValue[]>> {
  const unknown = subjects.filter((id) => !given?.has(id));
  const { domainName, boxes } = pass;
  const values = await loadValues(
    pass.trx,
    pass.dialect,
    { domainName, boxes },
    pass.rules,
    unknown,
    pass.known,
  );
  for (const id of subjects) {
    const v = given?.get(id);
    if (v) values.set(id, v);
  }
  return values;
}

/** Whether any subject shares a value with another profile. */
function anyCandidate(
  values: ReadonlyMap<string, MatchValue[]>,
  owners: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  return [...values].some(([id, vs]) =>
    vs.some((v) => {
      const h = owners.get(pairKey(v.keyName, v.value));
      return h !== undefined && (h.size > 1 || !h.has(id));
    }),
  );
}

/**
 * One round: the candidates' profiles read, the rules weighed, the groups merged and the held matches
 * recorded. Returns the profiles merged into (the next round's subjects).
 */
async function matchRound(
  pass: Pass,
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
 * The facts of the subjects and of every profile holding one of their values; holders deleted
 * meanwhile (merged away earlier in this pass) are dropped from `owners`, their values stale. Holders
 * found only through a rule of names (never merged, whatever the fields: NAMES_ONLY) are only checked
 * to exist — their fields are not read: a common name's holders are most of those read.
 */
async function candidateProfiles(
  pass: Pass,
  subjects: readonly string[],
  owners: Map<string, Set<string>>,
): Promise<{ profiles: Map<string, ProfileFacts>; existing: Set<string> }> {
  const namesOnly = new Set(pass.rules.rules.filter((r) => r.namesOnly).map((r) => r.keyName));
  const everyone = new Set(subjects);
  const namedOnly = new Set<string>();
  for (const [pk, set] of owners) {
    const byName = namesOnly.has(pk.slice(0, pk.indexOf("\u0000")));
    for (const p of set) (byName ? namedOnly : everyone).add(p);
  }
  const { trx, dialect, domainName, boxes } = pass;
  const profiles = await loadProfiles(trx, dialect, { domainName, boxes }, [...everyone]);
  const existing = new Set(profiles.keys());
  const unread = [...namedOnly].filter((p) => !everyone.has(p));
  for (const id of await existingProfiles(trx, dialect, domainName, unread)) existing.add(id);
  for (const [pk, set] of owners) {
    for (const p of set) if (!existing.has(p)) set.delete(p);
    if (set.size === 0) owners.delete(pk);
  }
  return { profiles, existing };
}

/** Which of the profiles exist (ids only: nothing to open). */
async function existingProfiles(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  profileIds: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows) out.push(r.profile_id);
  }
  return out;
}

/**
 * Each group's main profile (chooseMain) and its merge with the cause; the pass's outcome counts them
 * and follows merged profiles to their new main.
 */
async function planMerges(
  pass: Pass,
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

/** Pairs of the given profiles that an unmerge separated (`rule_matches` rows of level 0), as "a\0b" with a < b. */
export async function unmergedPairs(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  profileIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(profileIds)) {
    for (const column of ["profile_a", "profile_b"] as const) {
      const rows = await trx
        .selectFrom("rule_matches")
        .select(["profile_a", "profile_b"])
        .where("domain_name", "=", domainName)
        .where(inValues(dialect, column, part))
        .where("rule_level", "=", 0)
        .execute();
      for (const r of rows) out.add(`${r.profile_a}\u0000${r.profile_b}`);
    }
  }
  return out;
}

/** The history/merge cause of a group: each link with its rule level, attributes and agreeing values. */
function causeOf(edges: readonly RuleEdge[]): Record<string, unknown> {
  return {
    Type: "RULE_BASED_MATCHING",
    Links: edges.map((e) => ({ ProfileIds: [e.a, e.b], RuleLevel: e.level, Rule: e.rule, Values: e.values })),
  };
}

/**
 * The profiles' matching values: their `_m.*` key rows, or — in a domain whose key values are blind
 * indexes, which cannot be read back — the same values computed again from their objects' (sealed)
 * fields, as the rows were written (ingestion and the backfill store `matchValues` of each object).
 */
async function loadValues(
  trx: Kysely<Database>,
  dialect: DialectName,
  domain: SealedDomain,
  rules: MatchingRules,
  profileIds: readonly string[],
  known: KnownValues,
): Promise<Map<string, MatchValue[]>> {
  const { domainName, boxes } = domain;
  if (boxes.blind) return valuesFromObjects(trx, dialect, domain, rules, profileIds, known);
  const out = new Map<string, MatchValue[]>();
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profile_keys")
      .select(["profile_id", "key_name", "key_value"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .where("key_name", "in", rules.keyNames)
      .execute();
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      list.push({ keyName: r.key_name, value: r.key_value });
      out.set(r.profile_id, list);
    }
  }
  return out;
}

/**
 * The matching values of the profiles' objects, computed from their fields — except those of the
 * objects the calling batch wrote, whose values it computed from the same fields.
 */
async function valuesFromObjects(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  rules: MatchingRules,
  profileIds: readonly string[],
  known: KnownValues,
): Promise<Map<string, MatchValue[]>> {
  const out = new Map<string, MatchValue[]>();
  const mine = known.objects;
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profile_objects")
      .select(["profile_id", "object_type_name", "object_key", "fields"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows) {
      const list = out.get(r.profile_id) ?? [];
      const given = r.object_type_name === mine?.typeName ? mine.values.get(r.object_key) : undefined;
      for (const v of given ?? matchValues(rules, objectFieldsColumn.open(boxes, r.fields))) list.push(v);
      out.set(r.profile_id, list);
    }
  }
  return out;
}

export interface ProfileFacts {
  fields: Leaves;
  createdAt: number;
}

export async function loadProfiles(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  profileIds: readonly string[],
): Promise<Map<string, ProfileFacts>> {
  const out = new Map<string, ProfileFacts>();
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profiles")
      .select(["profile_id", "fields", "created_at"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows)
      out.set(r.profile_id, {
        fields: profileFieldsColumn.open(boxes, r.fields),
        createdAt: Number(r.created_at),
      });
  }
  return out;
}

/**
 * The profile a group merges into: the oldest (its id has been known longest), or under
 * ConflictResolution SOURCE the oldest holding an object of SourceName.
 */
export async function chooseMain(
  trx: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  conflict: MatchingRules["conflict"],
  members: readonly string[],
  profiles: ReadonlyMap<string, ProfileFacts>,
): Promise<string> {
  let pool = [...members];
  if (conflict.model === "SOURCE" && conflict.sourceName !== undefined) {
    const rows = await trx
      .selectFrom("profile_objects")
      .select("profile_id")
      .distinct()
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", conflict.sourceName)
      .where(inValues(dialect, "profile_id", members))
      .execute();
    if (rows.length > 0) pool = rows.map((r) => r.profile_id);
  }
  pool.sort(
    (x, y) => (profiles.get(x)?.createdAt ?? 0) - (profiles.get(y)?.createdAt ?? 0) || (x < y ? -1 : 1),
  );
  return pool[0]!;
}

/**
 * Records the held matches (mapped onto the round's main profiles), each pair at its lowest level. A
 * pair an earlier round of the pass recorded at the same level and hold is counted, not written again:
 * a merged profile's next round finds again the held matches its parts had (a common name's, mostly).
 */
async function recordMatches(
  pass: Pass,
  held: readonly RuleEdge[],
  mainOf: ReadonlyMap<string, string>,
): Promise<number> {
  const { trx, dialect, domainName, boxes, now } = pass;
  const rows = new Map<
    string,
    {
      a: string;
      b: string;
      level: number;
      detail: { Rule: string[]; Values: Record<string, string>; Hold: Hold };
    }
  >();
  for (const e of held) {
    const a = mainOf.get(e.a) ?? e.a;
    const b = mainOf.get(e.b) ?? e.b;
    if (a === b) continue;
    const id = matchIdOf(a, b);
    const prev = rows.get(id);
    if (prev && prev.level <= e.level) continue;
    rows.set(id, {
      a: a < b ? a : b,
      b: a < b ? b : a,
      level: e.level,
      detail: { Rule: e.rule, Values: e.values, Hold: e.hold! },
    });
  }
  let again = 0;
  for (const [id, r] of rows) {
    if (pass.recorded.get(id) !== `${r.level}\u0000${r.detail.Hold}`) continue;
    rows.delete(id);
    again++;
  }
  if (rows.size === 0) return again;
  // A pair an unmerge separated keeps its level-0 row: a held match of the pair, found later (the
  // edge mapped onto main profiles), must not replace it, or the next pass would merge them again.
  for (const part of chunks([...rows.keys()])) {
    const kept = await trx
      .selectFrom("rule_matches")
      .select("match_id")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "match_id", part))
      .where("rule_level", "=", 0)
      .execute();
    for (const r of kept) rows.delete(r.match_id);
  }
  if (rows.size === 0) return again;
  const ids = [...rows.keys()];
  for (const part of chunks(ids)) {
    await trx
      .deleteFrom("rule_matches")
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "match_id", part))
      .where("rule_level", "<>", 0)
      .execute();
  }
  for (const part of chunks([...rows], 1000)) {
    await trx
      .insertInto("rule_matches")
      .values(
        part.map(([id, r]) => ({
          domain_name: domainName,
          match_id: id,
          rule_level: r.level,
          profile_a: r.a,
          profile_b: r.b,
          detail: matchDetailColumn.seal(boxes, r.detail),
          created_at: now,
        })),
      )
      .execute();
  }
  for (const [id, r] of rows) pass.recorded.set(id, `${r.level}\u0000${r.detail.Hold}`);
  return rows.size + again;
}
