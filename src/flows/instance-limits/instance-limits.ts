import { type Kysely, sql } from "kysely";
import type { RateBudget, Timer } from "../../connectors/sdk/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Database } from "../../db/schema.ts";
import { DbRateBudget } from "./db-rate-budget.ts";

/** The limits of one vendor instance, shared by every execution on every worker. */
export interface InstanceLimitSettings {
  /** Executions reading the instance at once; backfill steps may take all but one when this is ≥ 2. */
  readonly maxConcurrent: number;
  /** Shared request rate; 0 leaves pacing to the connector's own (per-process) budget. */
  readonly requestsPerSecond: number;
  /** Largest burst of requests. */
  readonly burst: number;
}

/**
 * Defaults per connector type (AppFlow names), below each vendor's documented limits so that N workers
 * together stay under them: ServiceNow's default inbound rule is 10,000/h per user (2.7/s); Zendesk's
 * incremental exports allow 10/min; Marketo 100 calls/20 s per instance (we keep to half); Salesforce
 * meters a daily allocation, which its connector's quota guard watches, so no rate is imposed here.
 */
export const defaultInstanceLimits: Readonly<Record<string, InstanceLimitSettings>> = {
  Servicenow: { maxConcurrent: 4, requestsPerSecond: 2, burst: 4 },
  Zendesk: { maxConcurrent: 2, requestsPerSecond: 8 / 60, burst: 1 },
  Marketo: { maxConcurrent: 2, requestsPerSecond: 2.5, burst: 5 },
  Salesforce: { maxConcurrent: 4, requestsPerSecond: 0, burst: 1 },
};

/** Who wants to read an instance. */
export interface InstanceEntry {
  readonly connectorType: string;
  readonly instanceUrl: string;
  readonly executionId: string;
  /** The execution's lease owner: its slot counts only while this lease is live. */
  readonly owner: string;
  /** A backfill step (workflow window): yields to incremental syncs. */
  readonly backfill: boolean;
}

/** The answer to `enter`: a slot and the budget to pass to the connector, or when to ask again. */
export type InstanceGateResult =
  | { readonly ok: true; readonly budget: RateBudget | undefined; leave(): Promise<void> }
  | { readonly ok: false; readonly retryAt: number; readonly reason: string };

/** The port the flow engine calls around each execution's read. */
export interface InstanceGate {
  enter(e: InstanceEntry): Promise<InstanceGateResult>;
}

export interface InstanceLimitsOptions {
  readonly db: Kysely<Database>;
  /** The engine's clock (slots are checked against execution leases). */
  readonly clock: Clock;
  /** The connectors' timer (the rate budget sleeps on it). */
  readonly timer: Timer;
  /** Limits of instances with no row of their own; default `defaultInstanceLimits`. */
  readonly defaults?: Readonly<Record<string, InstanceLimitSettings>>;
  /** How long an execution that found no free slot waits before asking again (ms); default 2000. */
  readonly retryMs?: number;
}

/** The key of an instance: connector type + instance URL without a trailing slash. */
export function instanceKey(connectorType: string, instanceUrl: string): string {
  return `${connectorType} ${instanceUrl.replace(/\/+$/, "").toLowerCase()}`;
}

/**
 * Per-instance limits held in the database: a concurrency limit (slots tied to live execution leases, so
 * a killed worker's slot frees itself when its lease expires) and a shared token-bucket rate budget.
 */
export class InstanceLimits implements InstanceGate {
  readonly #o: InstanceLimitsOptions;

  constructor(o: InstanceLimitsOptions) {
    this.#o = o;
  }

  /** Sets an instance's limits (an operator's override of the defaults). */
  async configure(connectorType: string, instanceUrl: string, s: InstanceLimitSettings): Promise<void> {
    const key = instanceKey(connectorType, instanceUrl);
    const set = { max_concurrent: s.maxConcurrent, rate_per_sec: s.requestsPerSecond, burst: s.burst };
    await this.#o.db
      .insertInto("instance_limits")
      .values({
        instance_key: key,
        ...set,
        tokens: s.burst,
        refilled_at: this.#o.timer.now(),
        priority_until: 0,
        rev: 0,
      })
      .onConflict((oc) => oc.column("instance_key").doUpdateSet(set))
      .execute();
  }

  /** Takes a slot on the instance, or says when to try again. */
  async enter(e: InstanceEntry): Promise<InstanceGateResult> {
    const key = instanceKey(e.connectorType, e.instanceUrl);
    const defaults = (this.#o.defaults ?? defaultInstanceLimits)[e.connectorType];
    if (defaults) {
      await this.#o.db
        .insertInto("instance_limits")
        .values({
          instance_key: key,
          max_concurrent: defaults.maxConcurrent,
          rate_per_sec: defaults.requestsPerSecond,
          burst: defaults.burst,
          tokens: defaults.burst,
          refilled_at: this.#o.timer.now(),
          priority_until: 0,
          rev: 0,
        })
        .onConflict((oc) => oc.column("instance_key").doNothing())
        .execute();
    }
    const taken = await this.#o.db.transaction().execute(async (tx) => {
      // A no-op update takes the row lock (PostgreSQL) or the write lock (SQLite): one entrant at a time.
      const locked = await tx
        .updateTable("instance_limits")
        .set((eb) => ({ rev: eb("rev", "+", 0) }))
        .where("instance_key", "=", key)
        .returning(["max_concurrent", "rate_per_sec"])
        .executeTakeFirst();
      if (!locked) return { ok: true as const, rate: 0 };
      const now = this.#o.clock.now();
      // Slots whose execution lease is gone (finished, released, or a dead worker's) do not count.
      await tx
        .deleteFrom("instance_slots")
        .where("instance_key", "=", key)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("flow_executions as e")
                .select(sql<number>`1`.as("one"))
                .whereRef("e.execution_id", "=", "instance_slots.execution_id")
                .whereRef("e.lease_owner", "=", "instance_slots.owner")
                .where("e.lease_expires_at", ">=", now),
            ),
          ),
        )
        .execute();
      const live = await tx
        .selectFrom("instance_slots")
        .select(["execution_id", "backfill"])
        .where("instance_key", "=", key)
        .where("execution_id", "!=", e.executionId)
        .execute();
      const max = locked.max_concurrent;
      const backfills = live.filter((s) => s.backfill === 1).length;
      const cap = e.backfill && max >= 2 ? max - 1 : max;
      if (live.length >= max || (e.backfill && backfills >= cap)) return { ok: false as const };
      await tx
        .insertInto("instance_slots")
        .values({
          instance_key: key,
          execution_id: e.executionId,
          owner: e.owner,
          backfill: e.backfill ? 1 : 0,
          taken_at: now,
        })
        .onConflict((oc) =>
          oc.columns(["instance_key", "execution_id"]).doUpdateSet({ owner: e.owner, taken_at: now }),
        )
        .execute();
      return { ok: true as const, rate: locked.rate_per_sec };
    });
    if (!taken.ok) {
      const retryMs = this.#o.retryMs ?? 2000;
      return {
        ok: false,
        retryAt: this.#o.clock.now() + retryMs + Math.floor(Math.random() * (retryMs / 4)),
        reason: `every slot on ${key} is taken`,
      };
    }
    const leave = async () => {
      await this.#o.db
        .deleteFrom("instance_slots")
        .where("instance_key", "=", key)
        .where("execution_id", "=", e.executionId)
        .where("owner", "=", e.owner)
        .execute();
    };
    const budget = taken.rate > 0 ? new DbRateBudget(this.#o.db, key, e.backfill, this.#o.timer) : undefined;
    return { ok: true, budget, leave };
  }
}
