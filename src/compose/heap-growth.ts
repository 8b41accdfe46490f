import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the JS heap grow past what survived its last full collection, in percent: 50 means
 * the next full collection comes at 1.5 × the live heap.
 *
 * Left to itself, V8 picks up to 4 × while collections are cheap next to the work between them, which
 * they are during a backfill: ~60 MB live (the loaded code and the group in flight) let the heap reach
 * ~280 MB resident, most of it garbage from groups already committed, and the server's anonymous memory
 * ~415 MB at 100k contacts. At 1.5 × it stays ~150 MB resident and anonymous memory ~285 MB, at the same
 * rate (docs/benchmarks.md, issue 18, "Server memory"). Unlike `--max-old-space-size` this caps nothing:
 * a larger live heap (a matching pass over a big domain) still gets the memory it needs, only collected
 * more often.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets the heap growth of this process, unless its command line or NODE_OPTIONS already chose one (an
 * operator's setting wins). V8 reads the flag at each full collection, so setting it after start applies
 * from the next one on.
 */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  const chosen = [...process.execArgv, process.env["NODE_OPTIONS"] ?? ""].some((a) =>
    /--heap[-_]growing[-_]percent/.test(a),
  );
  if (!chosen) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
