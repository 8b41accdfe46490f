import type { MatchValue } from "../../ingest/matching/matching-rules.ts";
import { pairKey } from "../key-index.ts";
import type { Pair } from "./value-holders.ts";

/**
 * Who holds each of the subjects' values: every value is looked up (none is skipped by its projection
 * onto a smaller rule — see docs/matching.md).
 */
export async function holdersOf(
  values: ReadonlyMap<string, readonly MatchValue[]>,
  read: (pairs: Pair[]) => Promise<Map<string, Set<string>>>,
): Promise<Map<string, Set<string>>> {
  const pairs: Pair[] = [];
  for (const vs of values.values())
    for (const v of vs) pairs.push({ name: v.keyName, value: v.value, stored: v.stored });
  return read(pairs);
}

/** Whether any subject shares a value with another profile. */
export function anyCandidate(
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
