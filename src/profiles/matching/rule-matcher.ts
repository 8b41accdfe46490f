import {
  type CompiledRule,
  decodeRuleValue,
  type MatchingRules,
  type MatchValue,
} from "../../ingest/matching/matching-rules.ts";
import { normalizeMatchValue } from "../../ingest/matching/normalize-match-value.ts";
import { pairKey } from "../key-index.ts";
import type { Leaves } from "../profile-fields.ts";

/** Local parts of role mailboxes: addresses that stand for a team, never one person. */
export const ROLE_MAILBOXES = new Set([
  "info",
  "sales",
  "support",
  "help",
  "admin",
  "contact",
  "office",
  "hello",
  "team",
  "billing",
  "accounts",
  "accounting",
  "enquiries",
  "inquiries",
  "service",
  "customerservice",
  "marketing",
  "hr",
  "jobs",
  "careers",
  "mail",
  "noreply",
  "no-reply",
  "webmaster",
  "postmaster",
  "reception",
  "orders",
]);

/** The precision guards (docs/matching.md). */
export interface MatchGuards {
  /** A value held by more distinct profiles than this is shared, whatever their names. */
  maxProfilesPerValue: number;
}

export const DEFAULT_GUARDS: MatchGuards = { maxProfilesPerValue: 10 };

/** Why a match was not merged. */
export type Hold =
  | "UNMERGED"
  | "NAMES_ONLY"
  | "SHARED_VALUE"
  | "CONFLICTING_FIRST_NAME"
  | "CONFLICTING_BIRTH_DATE"
  | "ABOVE_MERGING_LEVEL";

/** Two profiles that satisfy a rule. */
export interface RuleEdge {
  a: string;
  b: string;
  level: number;
  rule: string[];
  /** The agreeing normalized value of each attribute. */
  values: Record<string, string>;
  /** Why it is not merged; undefined when it is. */
  hold?: Hold;
}

/** True when a rule needs, besides its identifying value, the full name, a birth date or an address to agree. */
function corroborated(rule: CompiledRule): boolean {
  const names = new Set(rule.attributes.map((a) => a.name));
  return (
    (names.has("FirstName") && names.has("LastName")) ||
    names.has("BirthDate") ||
    [...names].some((n) => n === "Address" || n === "Address.Address1")
  );
}

/** What the matcher reads: each subject's matching values, who holds each value, and effective fields. */
export interface MatchInput {
  subjects: ReadonlyMap<string, readonly MatchValue[]>;
  owners: ReadonlyMap<string, ReadonlySet<string>>;
  fields: ReadonlyMap<string, Leaves>;
}

const firstNameOf = (l: Leaves | undefined) =>
  l?.FirstName ? normalizeMatchValue("name", l.FirstName) : undefined;
const birthDateOf = (l: Leaves | undefined) =>
  l?.BirthDate ? normalizeMatchValue("date", l.BirthDate) : undefined;

/**
 * The rule edges of each subject profile: for each rule up to the matching level, the profiles holding
 * an equal value of the rule's composite key (they agree on every attribute of the rule); each pair
 * keeps its lowest level. Guards: a rule of names only never merges; a rule whose one identifying
 * attribute is not corroborated by the full name, a birth date or an address never merges on a shared
 * value (a role mailbox, a value whose holders carry different first names, or one held by more than
 * `maxProfilesPerValue` profiles); profiles with different first names or birth dates are never merged
 * automatically.
 */
export function findRuleEdges(
  rules: MatchingRules,
  input: MatchInput,
  guards: MatchGuards = DEFAULT_GUARDS,
): RuleEdge[] {
  const best = new Map<string, RuleEdge>();
  const ruleByKey = new Map(rules.rules.map((r) => [r.keyName, r]));
  for (const [subject, values] of input.subjects) {
    for (const v of values) {
      const rule = ruleByKey.get(v.keyName);
      if (!rule || rule.level > rules.matchLevel) continue;
      const holders = input.owners.get(pairKey(v.keyName, v.value));
      if (!holders) continue;
      let decoded: Record<string, string> | undefined;
      for (const other of holders) {
        if (other === subject) continue;
        const [a, b] = subject < other ? [subject, other] : [other, subject];
        const pair = `${a}\u0000${b}`;
        const prev = best.get(pair);
        if (prev && prev.level <= rule.level) continue;
        decoded ??= decodeRuleValue(rule, v.value);
        const edge: RuleEdge = {
          a,
          b,
          level: rule.level,
          rule: rule.attributes.map((x) => x.name),
          values: decoded,
        };
        const hold = holdOf(rule, decoded, holders, subject, other);
        if (hold) edge.hold = hold;
        best.set(pair, edge);
      }
    }
  }
  return [...best.values()];

  function holdOf(
    rule: CompiledRule,
    values: Record<string, string>,
    holders: ReadonlySet<string>,
    subject: string,
    other: string,
  ): Hold | undefined {
    if (rule.namesOnly) return "NAMES_ONLY";
    const identifying = rule.attributes.filter((a) => a.identifying);
    if (identifying.length === 1 && !corroborated(rule)) {
      const attr = identifying[0]!;
      if (shared(attr.kind, values[attr.name] ?? "", holders, subject)) return "SHARED_VALUE";
    }
    const fa = input.fields.get(subject);
    const fb = input.fields.get(other);
    const na = firstNameOf(fa);
    const nb = firstNameOf(fb);
    if (na !== undefined && nb !== undefined && na !== nb) return "CONFLICTING_FIRST_NAME";
    const da = birthDateOf(fa);
    const db = birthDateOf(fb);
    if (da !== undefined && db !== undefined && da !== db) return "CONFLICTING_BIRTH_DATE";
    if (rule.level > rules.mergeLevel) return "ABOVE_MERGING_LEVEL";
    return undefined;
  }

  /** A role mailbox, a value held by more profiles than the cap, or one whose holders carry different first names. */
  function shared(kind: string, value: string, holders: ReadonlySet<string>, subject: string): boolean {
    if (kind === "email" && ROLE_MAILBOXES.has(value.slice(0, value.indexOf("@")))) return true;
    const all = new Set(holders).add(subject);
    if (all.size > guards.maxProfilesPerValue) return true;
    const names = new Set<string>();
    for (const h of all) {
      const n = firstNameOf(input.fields.get(h));
      if (n !== undefined) names.add(n);
    }
    return names.size > 1;
  }
}

/**
 * The groups to merge: merge-eligible edges taken lowest level first, each joining two groups only when
 * the joined group still has at most one first name and one birth date (so a chain through profiles
 * without names cannot join two people). Returns each group's members and the edges that formed it.
 */
export function mergeGroups(
  edges: readonly RuleEdge[],
  fields: ReadonlyMap<string, Leaves>,
  apart: ReadonlySet<string> = new Set(),
): { members: string[]; edges: RuleEdge[] }[] {
  const parent = new Map<string, string>();
  const membersOf = new Map<string, string[]>();
  const names = new Map<string, Set<string>>();
  const dates = new Map<string, Set<string>>();
  const groupEdges = new Map<string, RuleEdge[]>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const init = (x: string) => {
    if (parent.has(x)) return;
    parent.set(x, x);
    const n = firstNameOf(fields.get(x));
    const d = birthDateOf(fields.get(x));
    names.set(x, new Set(n ? [n] : []));
    dates.set(x, new Set(d ? [d] : []));
    groupEdges.set(x, []);
    membersOf.set(x, [x]);
  };
  // Profiles separated by an unmerge never end in one group again, not even through a chain.
  const keptApart = (ra: string, rb: string) =>
    apart.size > 0 &&
    membersOf
      .get(ra)!
      .some((x) => membersOf.get(rb)!.some((y) => apart.has(x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`)));
  for (const e of [...edges].filter((x) => !x.hold).sort((x, y) => x.level - y.level)) {
    init(e.a);
    init(e.b);
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra === rb) continue;
    const n = new Set([...names.get(ra)!, ...names.get(rb)!]);
    const d = new Set([...dates.get(ra)!, ...dates.get(rb)!]);
    if (n.size > 1 || d.size > 1 || keptApart(ra, rb)) continue;
    parent.set(rb, ra);
    names.set(ra, n);
    dates.set(ra, d);
    groupEdges.set(ra, [...groupEdges.get(ra)!, ...groupEdges.get(rb)!, e]);
    membersOf.set(ra, [...membersOf.get(ra)!, ...membersOf.get(rb)!]);
  }
  const members = new Map<string, string[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    members.set(r, [...(members.get(r) ?? []), x]);
  }
  return [...members]
    .filter(([, m]) => m.length > 1)
    .map(([r, m]) => ({ members: m, edges: groupEdges.get(r)! }));
}
