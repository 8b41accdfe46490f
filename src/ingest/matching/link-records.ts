import {
  type Comparison,
  compareRecords,
  estimateModel,
  FIELDS,
  type LinkageModel,
  levelProbabilities,
  PRIOR_M,
  packComparison,
  type SharedValue,
  scoreComparison,
  unpackComparison,
} from "./fellegi-sunter.ts";
import { blockingKeys, type LinkageRecord } from "./linkage-record.ts";

/** Records in one block above this are not compared within it (a common name, a placeholder value). */
export const MAX_BLOCK_SIZE = 30;

/** Random pairs drawn to estimate u (what agreement looks like between two records of anyone). */
export const RANDOM_PAIRS = 100_000;
/** How many pairs the prior of m (PRIOR_M) is worth against the domain's pairs known to be one person. */
export const PRIOR_STRENGTH = 20;

/** A scored candidate pair (indexes into the records). */
export interface ScoredPair {
  a: number;
  b: number;
  comparison: Comparison;
  score: number;
}

/** What linking found. */
export interface Linkage {
  model: LinkageModel;
  /** Candidate pairs compared. */
  candidates: number;
  /** Pairs scoring at least `minScore`, best first. */
  pairs: ScoredPair[];
}

/** EXACT_SHARED of email and phone: weight 0 (m = u), the row's other levels of m scaled to sum to 1. */
function sharedCarriesNoWeight(m: number[][], u: number[][]): void {
  for (const f of [2, 3]) {
    const row = m[f]!;
    const rest = 1 - row[1]!;
    row[1] = u[f]![1]!;
    for (const l of [0, 2]) row[l] = (row[l]! / rest) * (1 - row[1]!);
  }
}

/** Field index → level → the share of all pairs of records holding the field that agree at that level. */
type AgreementRates = Map<number, Map<number, number>>;

/**
 * The exact agreement levels of the identifiers over every pair of records, from the values'
 * frequencies: a value held by k records makes k·(k−1)/2 agreeing pairs, out of N·(N−1)/2 pairs of the
 * N records holding the field. Email and phone count shared values (EXACT_SHARED) apart from the others.
 */
export function agreementRates(records: readonly LinkageRecord[], shared: SharedValue): AgreementRates {
  const fields: [number, (r: LinkageRecord) => readonly string[], "email" | "phone" | undefined][] = [
    [2, (r) => r.emails, "email"],
    [3, (r) => r.phones, "phone"],
    [4, (r) => (r.birthDate ? [r.birthDate] : []), undefined],
    [5, (r) => r.addresses, undefined],
  ];
  const out: AgreementRates = new Map();
  for (const [f, values, kind] of fields) {
    const counts = new Map<string, number>();
    let holders = 0;
    for (const r of records) {
      const vs = values(r);
      if (vs.length > 0) holders++;
      for (const v of vs) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const pairs = (holders * (holders - 1)) / 2;
    if (pairs === 0) continue;
    let exact = 0;
    let sharedPairs = 0;
    for (const [v, k] of counts) {
      if (kind !== undefined && shared(kind, v)) sharedPairs += (k * (k - 1)) / 2;
      else exact += (k * (k - 1)) / 2;
    }
    const levels = new Map([[0, exact / pairs]]);
    if (kind !== undefined) levels.set(1, sharedPairs / pairs);
    out.set(f, levels);
  }
  return out;
}

/** Sampled level shares with the exactly counted ones put in, the row's other levels scaled to the rest. */
function withExactAgreement(sampled: number[][], exact: AgreementRates): number[][] {
  return sampled.map((row, f) => {
    const known = exact.get(f);
    if (!known) return row;
    const fixed = [...known.values()].reduce((s, p) => s + p, 0);
    const rest = row.reduce((s, p, l) => (known.has(l) ? s : s + p), 0);
    return row.map((p, l) => known.get(l) ?? (rest > 0 ? (p / rest) * (1 - fixed) : 0));
  });
}

/** Fields (email, phone, address) whose every pair agreeing exactly on an unshared value is a candidate. */
const BLOCKED_EXACT = new Set([2, 3, 5]);

/** The row with level `l` set to `p`, the others scaled to the rest. */
function withFloor(row: readonly number[], l: number, p: number): number[] {
  const rest = row.reduce((s, x, i) => (i === l ? s : s + x), 0);
  return row.map((x, i) => (i === l ? p : rest > 0 ? (x / rest) * (1 - p) : 0));
}

/** Whether a record holds field `f` of FIELDS. */
function holds(r: LinkageRecord, f: number): boolean {
  switch (f) {
    case 0:
      return r.firstName !== undefined;
    case 1:
      return r.lastName !== undefined;
    case 2:
      return r.emails.length > 0;
    case 3:
      return r.phones.length > 0;
    case 4:
      return r.birthDate !== undefined;
    default:
      return r.addresses.length > 0;
  }
}

/** A seeded pseudo-random generator (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Links records: blocks (blockingKeys; blocks over MAX_BLOCK_SIZE skipped), each candidate pair
 * compared once, every pair scored. The model: u from RANDOM_PAIRS random pairs of the records
 * (seeded: the same data gives the same scores), m from `positives` (comparison vectors of pairs known
 * to be one person — the records one profile already holds) over the prior PRIOR_M, agreement on a
 * shared value given no weight (it is, by definition, held by several people), and the share of
 * matches λ estimated by EM over the candidate pairs. Cost grows with the records and the (capped)
 * blocks, not with their square. Yields to the event loop every few thousand pairs so a large domain
 * never stalls the process; stops early (returns undefined) when `signal` is aborted.
 */
export async function linkRecords(
  records: readonly LinkageRecord[],
  shared: SharedValue,
  options: {
    minScore: number;
    positives?: ReadonlyMap<number, number>;
    separate?: (a: number, b: number) => boolean;
    signal?: AbortSignal;
  },
): Promise<Linkage | undefined> {
  const blocks = new Map<string, number[]>();
  for (const [i, r] of records.entries()) {
    for (const k of blockingKeys(r)) {
      const list = blocks.get(k);
      if (list === undefined) blocks.set(k, [i]);
      else if (list.length <= MAX_BLOCK_SIZE) list.push(i);
    }
  }
  const n = records.length;
  const seen = new Set<number>();
  const pairA: number[] = [];
  const pairB: number[] = [];
  const codes: number[] = [];
  const patterns = new Map<number, number>();
  let work = 0;
  for (const list of blocks.values()) {
    if (list.length < 2 || list.length > MAX_BLOCK_SIZE) continue;
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = Math.min(list[x]!, list[y]!);
        const b = Math.max(list[x]!, list[y]!);
        const id = a * n + b;
        if (seen.has(id)) continue;
        seen.add(id);
        if (options.separate?.(a, b)) continue;
        const code = packComparison(compareRecords(records[a]!, records[b]!, shared));
        pairA.push(a);
        pairB.push(b);
        codes.push(code);
        patterns.set(code, (patterns.get(code) ?? 0) + 1);
        if (++work % 5000 === 0) {
          await yieldToLoop();
          if (options.signal?.aborted) return undefined;
        }
      }
    }
  }
  seen.clear();
  const random = new Map<number, number>();
  const rnd = mulberry32(0x5eed);
  const draws = n < 2 ? 0 : Math.min(RANDOM_PAIRS, (n * (n - 1)) / 2);
  for (let i = 0; i < draws; i++) {
    const a = Math.floor(rnd() * n);
    let b = Math.floor(rnd() * (n - 1));
    if (b >= a) b++;
    const code = packComparison(compareRecords(records[a]!, records[b]!, shared));
    random.set(code, (random.get(code) ?? 0) + 1);
    if (i % 5000 === 4999) await yieldToLoop();
  }
  // Random pairs include the matches: where duplicates are many, they are most of the random pairs
  // that agree on an email. u is P(level | non-match) = (P(level) − λ·m) / (1 − λ); λ and u are
  // re-estimated in turn until they settle. The agreement levels of the identifiers (email, phone,
  // birth date, address) are counted over every pair of the domain from the values' frequencies, not
  // sampled: two different people agree on a personal email about once in 10⁸ pairs, which no sample
  // sees, and a sampled floor (half a pair in 100,000) capped one identifier's evidence below what a
  // single email or phone says at 10,000 profiles. The floor is half a pair among all the pairs.
  const seen0 = withExactAgreement(levelProbabilities(random), agreementRates(records, shared));
  const m = levelProbabilities(options.positives ?? new Map(), PRIOR_M, PRIOR_STRENGTH);
  let model: LinkageModel | undefined;
  const holderPairs = FIELDS.map((_, f) => {
    const k = records.filter((r) => holds(r, f)).length;
    return (k * (k - 1)) / 2;
  });
  // EM starts from "an unshared email, phone or address is one person's" (its u at the floor): a value
  // two people hold shows it by their disagreeing elsewhere (two first names make an email or phone
  // shared outright), which raises u; starting from the raw share of agreeing pairs instead, where the
  // agreeing pairs carry nothing else, EM stays where it started, calling half of them strangers.
  let u = seen0.map((row, f) =>
    BLOCKED_EXACT.has(f) ? withFloor(row, 0, 0.5 / Math.max(1, holderPairs[f]!)) : row,
  );
  for (let round = 0; round < 5; round++) {
    sharedCarriesNoWeight(m, u);
    model = estimateModel(patterns, { m, u, population: (n * (n - 1)) / 2 });
    // A level's share is among the pairs where both records hold the field, so the share of matches
    // subtracted is among those pairs too: the expected matches comparing the field over its pairs.
    // Every pair agreeing on an email, a phone or an address that is not shared shares that value's
    // block, so its non-matches are all candidates: counted directly, each weighted by its posterior
    // of not being one person (EM's u for that level), not sampled and not left to a subtraction.
    const matched = FIELDS.map(() => 0);
    const apart = FIELDS.map(() => 0);
    for (const [code, count] of patterns) {
      const c = unpackComparison(code);
      const g = scoreComparison(model, c);
      for (let f = 0; f < c.length; f++) {
        if (c[f]! < 0) continue;
        matched[f]! += g * count;
        if (c[f] === 0 && BLOCKED_EXACT.has(f)) apart[f]! += (1 - g) * count;
      }
    }
    u = seen0.map((row, f) => {
      const pairsOf = Math.max(1, holderPairs[f]!);
      const lambda = Math.min(0.5, matched[f]! / pairsOf);
      const floor = 0.5 / pairsOf;
      const raw = row.map((p, l) =>
        Math.max(
          floor,
          l === 0 && BLOCKED_EXACT.has(f) ? apart[f]! / pairsOf : (p - lambda * m[f]![l]!) / (1 - lambda),
        ),
      );
      const sum = raw.reduce((x, y) => x + y, 0);
      return raw.map((x) => x / sum);
    });
  }
  sharedCarriesNoWeight(m, u);
  model = estimateModel(patterns, { m, u, population: (n * (n - 1)) / 2 });
  const scoreOf = new Map<number, number>();
  for (const code of patterns.keys()) scoreOf.set(code, scoreComparison(model, unpackComparison(code)));
  const pairs: ScoredPair[] = [];
  for (let i = 0; i < codes.length; i++) {
    const score = scoreOf.get(codes[i]!)!;
    if (score < options.minScore) continue;
    pairs.push({ a: pairA[i]!, b: pairB[i]!, comparison: unpackComparison(codes[i]!), score });
  }
  pairs.sort((p, q) => q.score - p.score || p.a - q.a || p.b - q.b);
  return { model, candidates: codes.length, pairs };
}
