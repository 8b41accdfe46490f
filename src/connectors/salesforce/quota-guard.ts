import { ConnectorError, type RateBudget, type Timer, unlimitedBudget } from "../sdk/index.ts";

const DAY = 86_400_000;

/**
 * Keeps the connector inside the org's rolling 24 h API allocation: it reads `Sforce-Limit-Info:
 * api-usage=used/max` from every answer and, once only the reserve is left, refuses to send (quota_exhausted)
 * instead of letting Salesforce refuse us. The allocation has no reset time, so it pauses `pauseMs`, then lets
 * one probe through to learn the new usage — but only while the last known usage leaves room for it; with
 * nothing left it waits until that observation is 24 h old (the whole window has rolled). Wraps the caller's
 * RateBudget.
 */
export class QuotaGuard implements RateBudget {
  readonly #timer: Timer;
  readonly #inner: RateBudget;
  readonly #reserve: number;
  readonly #pauseMs: number;
  #used: number | undefined;
  #max = 0;
  #observedAt = 0;
  /** A pause ended and no answer has reported the usage since. */
  #stale = false;
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
    this.#observedAt = this.#timer.now();
    this.#stale = false;
  }

  /** When the allocation is known to be used up: the time to try again; else undefined. */
  exhaustedUntil(): number | undefined {
    const now = this.#timer.now();
    if (now < this.#pausedUntil) return this.#pausedUntil;
    if (this.#used === undefined) return undefined;
    const remaining = this.#max - this.#used;
    if (this.#stale) {
      // After a pause: probe if the last answer left room, or once that answer is a whole window old.
      if (remaining > 0 || now >= this.#observedAt + DAY) return undefined;
      this.#pausedUntil = this.#observedAt + DAY;
      return this.#pausedUntil;
    }
    const keep = Math.max(1, Math.ceil(this.#max * this.#reserve));
    if (remaining > keep) return undefined;
    this.#pausedUntil =
      remaining > 0 ? now + this.#pauseMs : Math.max(now + this.#pauseMs, this.#observedAt + DAY);
    this.#stale = true;
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

  /** Called when Salesforce itself refused with REQUEST_LIMIT_EXCEEDED: pause from now, then probe. */
  refused(): number {
    this.#pausedUntil = this.#timer.now() + this.#pauseMs;
    this.#used = undefined;
    return this.#pausedUntil;
  }
}
