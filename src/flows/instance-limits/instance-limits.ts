import type { Kysely } from "kysely";
import type { RateBudget, Timer } from "../../connectors/sdk/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Database } from "../../db/schema.ts";
import { DbRateBudget } from "./db-rate-budget.ts";
import { leaveSlot, takeSlot } from "./instance-slots.ts";

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
      .values(this.#limitsRow(key, s))
      .onConflict((oc) => oc.column("instance_key").doUpdateSet(set))
      .execute();
  }

  /** Takes a slot on the instance, or says when to try again. */
  async enter(e: InstanceEntry): Promise<InstanceGateResult> {
    const key = instanceKey(e.connectorType, e.instanceUrl);
    await this.#seedDefaults(key, e.connectorType);
    const { db, clock, timer } = this.#o;
    const taken = await db.transaction().execute((tx) => takeSlot(tx, key, e, clock));
    if (!taken.ok) {
      const retryMs = this.#o.retryMs ?? 2000;
      return {
        ok: false,
        retryAt: clock.now() + retryMs + Math.floor(Math.random() * (retryMs / 4)),
        reason: `every slot on ${key} is taken`,
      };
    }
    const budget = taken.rate > 0 ? new DbRateBudget(db, key, e.backfill, timer) : undefined;
    return { ok: true, budget, leave: () => leaveSlot(db, key, e) };
  }

  /** Gives an instance with no row of its own its connector type's default limits, if there are any. */
  async #seedDefaults(key: string, connectorType: string): Promise<void> {
    const defaults = (this.#o.defaults ?? defaultInstanceLimits)[connectorType];
    if (!defaults) return;
    await this.#o.db
      .insertInto("instance_limits")
      .values(this.#limitsRow(key, defaults))
      .onConflict((oc) => oc.column("instance_key").doNothing())
      .execute();
  }

  /** A new instance row: its limits, a full bucket. */
  #limitsRow(key: string, s: InstanceLimitSettings) {
    return {
      instance_key: key,
      max_concurrent: s.maxConcurrent,
      rate_per_sec: s.requestsPerSecond,
      burst: s.burst,
      tokens: s.burst,
      refilled_at: this.#o.timer.now(),
      priority_until: 0,
      rev: 0,
    };
  }
}
