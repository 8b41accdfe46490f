import { jaroWinkler } from "./jaro-winkler.ts";
import type { LinkageRecord } from "./linkage-record.ts";

/**
 * Fellegi–Sunter record linkage: each candidate pair is a comparison vector (one agreement level per
 * field, or missing), matches and non-matches are a two-class mixture whose level probabilities
 * (m: given a match, u: given a non-match) and match share λ are estimated from the domain's own
 * candidate pairs by expectation–maximization, and a pair's score is its posterior probability of being
 * a match, λ·Πm / (λ·Πm + (1−λ)·Πu) — a probability, so 0.95 means 95 of 100 such pairs are one
 * person, as far as the model holds. Missing values count for neither class.
 */

/** The compared fields and the names of their levels (level i is `LEVELS[field][i]`). */
export const FIELDS = [
  "FirstName",
  "LastName",
  "EmailAddress",
  "PhoneNumber",
  "BirthDate",
  "Address",
] as const;
export type LinkageField = (typeof FIELDS)[number];

export const LEVELS: Readonly<Record<LinkageField, readonly string[]>> = {
  FirstName: ["EXACT", "SIMILAR", "DIFFERENT"],
  LastName: ["EXACT", "SIMILAR", "SOMEWHAT_SIMILAR", "DIFFERENT"],
  // A shared value (a role mailbox, a household phone) is its own level: EM learns how little it says.
  EmailAddress: ["EXACT", "EXACT_SHARED", "DIFFERENT"],
  PhoneNumber: ["EXACT", "EXACT_SHARED", "DIFFERENT"],
  BirthDate: ["EXACT", "DIFFERENT"],
  Address: ["EXACT", "DIFFERENT"],
};

/** A comparison vector: one level index per field of FIELDS, -1 when either side lacks the value. */
export type Comparison = number[];

/** Tells whether a value (kind `email` or `phone`) is shared by several people. */
export type SharedValue = (kind: "email" | "phone", value: string) => boolean;

const nameLevel = (a: string | undefined, b: string | undefined, cuts: readonly number[]): number => {
  if (a === undefined || b === undefined) return -1;
  if (a === b) return 0;
  const s = jaroWinkler(a, b);
  for (const [i, cut] of cuts.entries()) if (s >= cut) return i + 1;
  return cuts.length + 1;
};

const setLevel = (
  a: readonly string[],
  b: readonly string[],
  kind: "email" | "phone",
  shared: SharedValue,
): number => {
  if (a.length === 0 || b.length === 0) return -1;
  const common = a.filter((v) => b.includes(v));
  if (common.length === 0) return 2;
  return common.some((v) => !shared(kind, v)) ? 0 : 1;
};

/** Compares two records field by field. */
export function compareRecords(a: LinkageRecord, b: LinkageRecord, shared: SharedValue): Comparison {
  const exact = (x: readonly string[], y: readonly string[]) =>
    x.length === 0 || y.length === 0 ? -1 : x.some((v) => y.includes(v)) ? 0 : 1;
  return [
    nameLevel(a.firstName, b.firstName, [0.9]),
    nameLevel(a.lastName, b.lastName, [0.9, 0.8]),
    setLevel(a.emails, b.emails, "email", shared),
    setLevel(a.phones, b.phones, "phone", shared),
    exact(a.birthDate ? [a.birthDate] : [], b.birthDate ? [b.birthDate] : []),
    exact(a.addresses, b.addresses),
  ];
}

/** A packed comparison vector (a Map key): level + 1 of field i in base 5 digit i. */
export function packComparison(c: Comparison): number {
  let code = 0;
  for (let i = c.length - 1; i >= 0; i--) code = code * 5 + (c[i]! + 1);
  return code;
}

export function unpackComparison(code: number): Comparison {
  const out: number[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    out.push((code % 5) - 1);
    code = Math.floor(code / 5);
  }
  return out;
}

/** The estimated model. */
export interface LinkageModel {
  /** Share of matches among the candidate pairs. */
  lambda: number;
  /** m[field][level]: P(level | match). */
  m: number[][];
  /** u[field][level]: P(level | non-match). */
  u: number[][];
  iterations: number;
  /** Candidate pairs the model was estimated from. */
  pairs: number;
}

/**
 * What a match looks like before any data is seen (P(level | match), a field present on both sides):
 * the prior that pairs known to be one person refine (`levelProbabilities`), and all there is in a
 * domain that holds no such pairs yet.
 */
export const PRIOR_M: readonly (readonly number[])[] = [
  [0.9, 0.06, 0.04],
  [0.85, 0.07, 0.03, 0.05],
  [0.85, 0.05, 0.1],
  [0.8, 0.05, 0.15],
  [0.95, 0.05],
  [0.7, 0.3],
];

/**
 * Each field's level distribution among the given comparison vectors (missing values left out), with
 * `prior` worth `strength` pseudo-pairs (uniform when no prior: half a pair per level), so every
 * probability stays above zero.
 */
export function levelProbabilities(
  patterns: ReadonlyMap<number, number>,
  prior?: readonly (readonly number[])[],
  strength = 0,
): number[][] {
  const counts = FIELDS.map((f, i) => LEVELS[f].map((_, l) => (prior ? prior[i]![l]! * strength : 0) + 0.5));
  for (const [code, count] of patterns) {
    const c = unpackComparison(code);
    for (let f = 0; f < c.length; f++) if (c[f]! >= 0) counts[f]![c[f]!]! += count;
  }
  return counts.map((row) => normalize(row));
}

/**
 * Estimates the model by EM from the counts of each comparison vector among the candidate pairs.
 * Given `fixed` m and u (m from pairs known to be one person, u from random pairs: the supervised
 * reading, which cannot mistake a cluster of namesakes for the matches when a domain holds few
 * duplicates), only λ is estimated, as the share of matches among all `population` pairs (u describes
 * random pairs, so the prior odds must be a random pair's too: blocking chooses which pairs to score,
 * it does not make a pair likelier to match). Without, λ, m and u all are, over the candidates (half a
 * pseudo-count per level; "the class whose email and phone agree more often is the match class").
 * Stops when λ moves less than a millionth of itself or after 200 iterations.
 */
export function estimateModel(
  patterns: ReadonlyMap<number, number>,
  fixed?: { m: number[][]; u: number[][]; population: number },
): LinkageModel {
  const vectors = [...patterns].map(([code, count]) => ({ c: unpackComparison(code), count }));
  const candidates = vectors.reduce((s, v) => s + v.count, 0);
  // Supervised: λ is the share of matches among every pair of records (u is from random pairs, so the
  // prior must be too); pairs no block brought together count as non-matches.
  const total = fixed ? Math.max(fixed.population, candidates) : candidates;
  let lambda = fixed ? Math.min(0.1, candidates / Math.max(1, total)) : 0.3;
  let m =
    fixed?.m ?? FIELDS.map((f) => LEVELS[f].map((_, l, all) => (l === 0 ? 0.9 : 0.1 / (all.length - 1))));
  let u =
    fixed?.u ??
    FIELDS.map((f) => LEVELS[f].map((_, l, all) => (l === all.length - 1 ? 0.8 : 0.2 / (all.length - 1))));
  let iterations = 0;
  for (; iterations < 200 && total > 0; iterations++) {
    const mc = FIELDS.map((f) => LEVELS[f].map(() => 0.5));
    const uc = FIELDS.map((f) => LEVELS[f].map(() => 0.5));
    let matched = 0;
    for (const { c, count } of vectors) {
      const g = posterior(lambda, m, u, c);
      matched += g * count;
      if (fixed) continue;
      for (let f = 0; f < c.length; f++) {
        const l = c[f]!;
        if (l < 0) continue;
        mc[f]![l]! += g * count;
        uc[f]![l]! += (1 - g) * count;
      }
    }
    const next = Math.min(1 - 1e-6, Math.max(1e-12, matched / total));
    if (!fixed) {
      m = mc.map((row) => normalize(row));
      u = uc.map((row) => normalize(row));
    }
    const moved = Math.abs(next - lambda) / lambda;
    lambda = next;
    if (moved < 1e-6) break;
  }
  const agree = (p: number[][]) => p[2]![0]! + p[3]![0]!;
  if (!fixed && agree(m) < agree(u)) [m, u, lambda] = [u, m, 1 - lambda];
  return { lambda, m, u, iterations, pairs: candidates };
}

function normalize(row: number[]): number[] {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((x) => x / s);
}

function posterior(lambda: number, m: number[][], u: number[][], c: Comparison): number {
  // In log space: dozens of fields' products stay finite.
  let w = Math.log(lambda) - Math.log(1 - lambda);
  for (let f = 0; f < c.length; f++) {
    const l = c[f]!;
    if (l >= 0) w += Math.log(m[f]![l]!) - Math.log(u[f]![l]!);
  }
  return 1 / (1 + Math.exp(-w));
}

/** The match probability of a comparison vector under the model, in [0, 1]. */
export function scoreComparison(model: LinkageModel, c: Comparison): number {
  return posterior(model.lambda, model.m, model.u, c);
}

/** Each compared field's level name and its weight log₂(m/u) (the evidence it gave), for explanations. */
export function explainComparison(
  model: LinkageModel,
  c: Comparison,
): Partial<Record<LinkageField, { Level: string; Weight: number }>> {
  const out: Partial<Record<LinkageField, { Level: string; Weight: number }>> = {};
  for (const [f, field] of FIELDS.entries()) {
    const l = c[f]!;
    if (l < 0) continue;
    const weight = Math.log2(model.m[f]![l]! / model.u[f]![l]!);
    out[field] = { Level: LEVELS[field][l]!, Weight: Math.round(weight * 100) / 100 };
  }
  return out;
}
