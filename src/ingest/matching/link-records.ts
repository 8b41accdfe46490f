import {
  type Comparison,
  compareRecords,
  estimateModel,
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
  // that agree on an email. u is P(level | non-match) = (P(level) − λ·m) / (1 − λ), floored at what
  // one random pair in the sample would say; λ and u are re-estimated in turn until they settle.
  const seen0 = levelProbabilities(random);
  const floor = 0.5 / Math.max(1, draws);
  const m = levelProbabilities(options.positives ?? new Map(), PRIOR_M, PRIOR_STRENGTH);
  let u = seen0;
  let model: LinkageModel | undefined;
  for (let round = 0; round < 5; round++) {
    sharedCarriesNoWeight(m, u);
    model = estimateModel(patterns, { m, u, population: (n * (n - 1)) / 2 });
    const lambda = model.lambda;
    u = seen0.map((row, f) => {
      const raw = row.map((p, l) => Math.max(floor, (p - lambda * m[f]![l]!) / (1 - lambda)));
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
