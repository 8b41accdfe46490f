import { setImmediate as turn } from "node:timers/promises";
import { blindIndex } from "./blind-index.ts";
import { sealValue } from "./data-key-box.ts";
import type { SealAhead, SealJob, SealJobResult } from "./seal-worker.ts";

/**
 * Values computed between two yields to the event loop: ~64 × 2–5 µs, so a database's answer that
 * arrives meanwhile waits at most a fraction of a millisecond.
 */
export const SLICE_VALUES = 64;

/**
 * Seals and blind-indexes values ahead on the main thread itself, a slice at a time, in the turns of the
 * event loop: while an operation waits for its database (PostgreSQL's round trips), the slices run in
 * what would be idle time, and a job costs no thread, no isolate and no copies of its values. It
 * computes exactly what DataKeyBox.seal and blindIndex compute (it calls them). A job whose `stale()`
 * turns true (the operation it was for has started without it) is dropped at its next slice and
 * resolves undefined: what it would still have computed, that operation computes inline.
 */
export class IdleSealer implements SealAhead {
  constructor(readonly sliceValues: number = SLICE_VALUES) {}

  async run(job: SealJob, stale: () => boolean = () => false): Promise<SealJobResult | undefined> {
    const key = Buffer.from(job.key.buffer, job.key.byteOffset, job.key.byteLength);
    const indexKey = Buffer.from(job.indexKey.buffer, job.indexKey.byteOffset, job.indexKey.byteLength);
    let budget = 0;
    const slice = async (): Promise<boolean> => {
      if (++budget < this.sliceValues) return true;
      budget = 0;
      await turn();
      return !stale();
    };
    if (stale()) return undefined;
    const sealed: string[][] = [];
    for (const run of job.seals) {
      const aad = Buffer.from(run.aad.buffer, run.aad.byteOffset, run.aad.byteLength);
      const out: string[] = [];
      for (const text of run.plaintexts) {
        out.push(sealValue(key, aad, run.prefix, text));
        if (!(await slice())) return undefined;
      }
      sealed.push(out);
    }
    const indexes: string[] = [];
    for (const pair of job.pairs) {
      indexes.push(blindIndex(indexKey, pair));
      if (!(await slice())) return undefined;
    }
    return { sealed, indexes };
  }
}

/** The process's idle-time sealer (it holds nothing between jobs). */
export const sharedIdleSealer = new IdleSealer();
