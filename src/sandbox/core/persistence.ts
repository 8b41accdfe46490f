import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/write-file-atomic.ts";
import type { Knobs } from "./knobs.ts";
import type { StoreOp } from "./object-store.ts";
import type { ClockState } from "./sandbox-clock.ts";

/** What a data directory remembers besides the write log, so a restart never goes back in time. */
export interface SavedState {
  seed: number;
  people: number;
  historyEnd: number;
  clock: ClockState;
  knobs: Knobs;
  /** Churn has been applied for every sandbox minute before this one. */
  churnMinute: number;
  /** Minute of the last generated burst. */
  burstMinute: number;
}

/** `state.json` (rewritten on change) + `writes.jsonl` (append-only) in a data directory. */
export class DataDir {
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** The saved state, or undefined for a fresh directory. */
  load(): SavedState | undefined {
    const f = join(this.#dir, "state.json");
    return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as SavedState) : undefined;
  }

  /** Every logged write, grouped by `vendor/object`. */
  writes(): Map<string, StoreOp[]> {
    const out = new Map<string, StoreOp[]>();
    const f = join(this.#dir, "writes.jsonl");
    if (!existsSync(f)) return out;
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line) continue;
      const { key, ...op } = JSON.parse(line) as StoreOp & { key: string };
      const list = out.get(key);
      if (list) list.push(op);
      else out.set(key, [op]);
    }
    return out;
  }

  /**
   * Saves the state (small; synchronous so a crash right after a change loses nothing; replaced whole,
   * so a kill during the write leaves the previous state, not half of one).
   */
  save(state: SavedState): void {
    writeFileAtomic(join(this.#dir, "state.json"), JSON.stringify(state));
  }

  /** Appends one write. */
  append(key: string, op: StoreOp): void {
    appendFileSync(join(this.#dir, "writes.jsonl"), `${JSON.stringify({ key, ...op })}\n`);
  }
}
