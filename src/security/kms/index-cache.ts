import { blindIndex } from "./blind-index.ts";
import type { PrefetchedSeals } from "./prefetched-seals.ts";

/** Indexes remembered per boxes (one operation): a batch asks for most pairs twice (lookup, then its rows). */
const INDEX_CACHE_LIMIT = 50_000;

/**
 * blindIndex under `indexKey`: the one computed ahead in `store` if there is one, else computed and
 * remembered here, up to INDEX_CACHE_LIMIT pairs (then starting over).
 */
export function indexCache(
  indexKey: Buffer,
  store: PrefetchedSeals,
): (name: string, value: string) => string {
  const seen = new Map<string, string>();
  return (name, value) => {
    const pair = `${name}\u0000${value}`;
    let out = seen.get(pair);
    if (out === undefined) {
      if (seen.size >= INDEX_CACHE_LIMIT) seen.clear();
      out = store.takeIndex(pair) ?? blindIndex(indexKey, pair);
      seen.set(pair, out);
    }
    return out;
  };
}
