/** At most this many records in a run's first part, before any part was timed (one a millisecond of budget). */
const FIRST_PART = 250;

/** The budgets of a pacer, in milliseconds a transaction may hold the database (0: each group whole). */
export interface CommitBudget {
  /** When the run is alone in its process and no API request is in flight there. */
  readonly aloneMs: number;
  /** While other runs share the process (they and their vendors' answers wait for the event loop). */
  readonly sharedMs: number;
  /** While API requests are in flight in this process. */
  readonly busyMs: number;
  /** The smallest part (default 20): a transaction's fixed cost stays small next to its records'. */
  readonly minRecords?: number;
}

/** What else wants this process's database and event loop while a run commits. */
export type CommitPressure = "alone" | "shared" | "busy";

/**
 * Sizes the parts a page group is committed in, so that one transaction holds the database for about
 * the budget: a page of 2,000 records whose matching costs 1.5 ms each would otherwise hold every API
 * request (on SQLite, reads too) and every other flow for three seconds. An API request that needs
 * several turns of the event loop (its statements, a KMS call, a vendor's answer) waits for a part at
 * each, so the budget is smallest while requests are in flight; a run alone in its process takes
 * larger parts, as each part costs a transaction. Each part's time per record feeds the next's size.
 */
export class CommitPacer {
  #msPerRecord: number | undefined;

  readonly #min: number;

  constructor(readonly budget: CommitBudget) {
    this.#min = Math.max(1, budget.minRecords ?? 20);
  }

  /** How many of the `remaining` records the next part takes (all of them when pacing is off). */
  next(remaining: number, pressure: CommitPressure = "alone"): number {
    const b = this.budget;
    const budgetMs = pressure === "busy" ? b.busyMs : pressure === "shared" ? b.sharedMs : b.aloneMs;
    if (!(budgetMs > 0 && Number.isFinite(budgetMs))) return remaining;
    const n =
      this.#msPerRecord === undefined
        ? Math.min(FIRST_PART, Math.max(this.#min, Math.floor(budgetMs)))
        : Math.max(this.#min, Math.floor(budgetMs / this.#msPerRecord));
    // No sliver at the end: a rest under half a part goes with this one.
    return n + n / 2 >= remaining ? remaining : n;
  }

  /** What a part of `records` records took (its transaction, commit included). */
  observe(records: number, ms: number): void {
    if (records <= 0) return;
    const per = ms / records;
    this.#msPerRecord = this.#msPerRecord === undefined ? per : (this.#msPerRecord + per) / 2;
  }
}
