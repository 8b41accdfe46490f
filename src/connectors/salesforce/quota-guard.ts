import { ConnectorError, type RateBudget, type Timer, unlimitedBudget } from "../sdk/index.ts";

/**
 * Keeps the connector inside the org's rolling 24 h API allocation: it reads `Sforce-Limit-Info:
 * api-usage=used/max` from every answer and, once only the reserve is left, refuses to send (quota_exhausted)
 * instead of letting Salesforce refuse us. The allocation has no reset time, so it pauses `pauseMs`, then lets
 * one probe through to learn the new usage. Wraps the caller's RateBudget.
 */
export class QuotaGuard implements RateBudget {
  readonly #timer: Timer;
  readonly #inner: RateBudget;
  readonly #reserve: number;
  readonly #pauseMs: number;
  #used: number | undefined;
  #max: number | undefined;
  #pausedUntil = 0;

  constructor(timer: Timer, reserve: number, pauseMs: number, inner: RateBudget = unlimitedBudget) {
    this.#timer = timer;
    this.#inner = inner;
    this.#reserve = reserve;
    this.#pauseMs = pauseMs;
  }

  /** Records the usage a response reported. */
  observe(headers: Readonly<Record<string, string>>): void {
    const m = /api-usage=(\d+)\/(\d+)/.exec(headers["sforce-limit-info"] ?? "");
    if (!m) return;
    this.#used = Number(m[1]);
    this.#max = Number(m[2]);
  }

  /** When the allocation is known to be used up: the time to try again; else undefined. */
  exhaustedUntil(): number | undefined {
    const now = this.#timer.now();
    if (now < this.#pausedUntil) return this.#pausedUntil;
    if (this.#used === undefined || this.#max === undefined) return undefined;
    const keep = Math.max(1, Math.ceil(this.#max * this.#reserve));
    if (this.#max - this.#used > keep) return undefined;
    this.#pausedUntil = now + this.#pauseMs;
    // Forget the usage: after the pause one request goes through and reports it afresh.
    this.#used = undefined;
    return this.#pausedUntil;
  }

  /** A quota_exhausted error for a pause until `resetAt`. */
  error(resetAt: number): ConnectorError {
    return new ConnectorError(
      "quota_exhausted",
      "daily API request allocation used up (Sforce-Limit-Info); the rolling 24 h window has no reset time, " +
        `pausing until ${new Date(resetAt).toISOString()}`,
      { vendorCode: "REQUEST_LIMIT_EXCEEDED", resetAt },
    );
  }

  async acquire(): Promise<void> {
    const until = this.exhaustedUntil();
    if (until !== undefined) throw this.error(until);
    await this.#inner.acquire();
  }

  /** Called when Salesforce itself refused with REQUEST_LIMIT_EXCEEDED: pause from now. */
  refused(): number {
    this.#pausedUntil = this.#timer.now() + this.#pauseMs;
    this.#used = undefined;
    return this.#pausedUntil;
  }
}
