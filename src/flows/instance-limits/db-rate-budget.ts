import type { Kysely } from "kysely";
import type { RateBudget, Timer } from "../../connectors/sdk/index.ts";
import type { Database } from "../../db/schema.ts";

/** How long an incremental sync that waits for a token holds backfills back beyond its own wait (ms). */
const priorityHoldMs = 250;

/**
 * A request-rate budget held in the database: one token bucket row per vendor instance, refilled at
 * `rate_per_sec` up to `burst`, taken with a compare-and-set on `rev`, so every worker on every machine
 * draws from the same bucket. A waiting incremental sync marks the row so backfills wait behind it.
 */
export class DbRateBudget implements RateBudget {
  /** The bucket time (timer ms) at which the last token was taken; the rate holds on these times. */
  lastGrantAt = 0;

  constructor(
    readonly db: Kysely<Database>,
    readonly instanceKey: string,
    readonly backfill: boolean,
    readonly timer: Timer,
  ) {}

  /** Waits until a token is free on the instance's bucket and takes it. */
  async acquire(): Promise<void> {
    for (;;) {
      const r = await this.db
        .selectFrom("instance_limits")
        .selectAll()
        .where("instance_key", "=", this.instanceKey)
        .executeTakeFirst();
      if (!r || !(r.rate_per_sec > 0)) return;
      const now = this.timer.now();
      const tokens = Math.min(r.burst, r.tokens + (Math.max(0, now - r.refilled_at) * r.rate_per_sec) / 1000);
      const heldBack = this.backfill && now < r.priority_until;
      if (!heldBack && tokens >= 1) {
        const u = await this.db
          .updateTable("instance_limits")
          .set({ tokens: tokens - 1, refilled_at: now, rev: r.rev + 1 })
          .where("instance_key", "=", this.instanceKey)
          .where("rev", "=", r.rev)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) === 1) {
          this.lastGrantAt = now;
          return;
        }
        continue; // another worker took a token meanwhile: look again
      }
      const wait = heldBack ? r.priority_until - now : Math.ceil(((1 - tokens) * 1000) / r.rate_per_sec);
      if (!this.backfill) {
        // Not a compare-and-set: the mark must land, and bumping rev makes backfills re-read and see it.
        const until = now + wait + priorityHoldMs;
        await this.db
          .updateTable("instance_limits")
          .set((eb) => ({ priority_until: until, rev: eb("rev", "+", 1) }))
          .where("instance_key", "=", this.instanceKey)
          .where("priority_until", "<", until)
          .execute();
      }
      // A little jitter keeps workers that woke together from colliding on the same compare-and-set.
      await this.timer.sleep(Math.max(1, wait) + Math.floor(Math.random() * 5));
    }
  }
}
