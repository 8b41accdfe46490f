import { sql } from "kysely";
import type { Clock } from "../../core/clock.ts";
import type { Queryable } from "../../db/queryable.ts";

/** Who takes or gives back a slot: the execution, its lease owner, and whether it is a backfill step. */
export interface SlotHolder {
  readonly executionId: string;
  readonly owner: string;
  readonly backfill: boolean;
}

/** What `takeSlot` found: a slot taken (with the instance's shared rate, 0 for none), or none free. */
export type SlotTaken = { readonly ok: true; readonly rate: number } | { readonly ok: false };

/**
 * Takes a slot on the instance `key` for `h`, in the caller's transaction `tx`: locks the instance's row,
 * drops slots whose execution lease is gone, then takes one if the instance has room (a backfill leaves
 * one slot to incremental syncs when the limit is ≥ 2). An instance with no row has no limit. The time
 * (`clock`, checked against execution leases) is read once the row is locked.
 */
export async function takeSlot(tx: Queryable, key: string, h: SlotHolder, clock: Clock): Promise<SlotTaken> {
  const locked = await lockInstance(tx, key);
  if (!locked) return { ok: true, rate: 0 };
  const now = clock.now();
  await freeExpiredSlots(tx, key, now);
  const live = await tx
    .selectFrom("instance_slots")
    .select(["execution_id", "backfill"])
    .where("instance_key", "=", key)
    .where("execution_id", "!=", h.executionId)
    .execute();
  const max = locked.max_concurrent;
  const backfills = live.filter((s) => s.backfill === 1).length;
  const cap = h.backfill && max >= 2 ? max - 1 : max;
  if (live.length >= max || (h.backfill && backfills >= cap)) return { ok: false };
  await tx
    .insertInto("instance_slots")
    .values({
      instance_key: key,
      execution_id: h.executionId,
      owner: h.owner,
      backfill: h.backfill ? 1 : 0,
      taken_at: now,
    })
    .onConflict((oc) =>
      oc.columns(["instance_key", "execution_id"]).doUpdateSet({ owner: h.owner, taken_at: now }),
    )
    .execute();
  return { ok: true, rate: locked.rate_per_sec };
}

/** Gives `h`'s slot on the instance `key` back (only while `h.owner` still holds it). */
export async function leaveSlot(db: Queryable, key: string, h: SlotHolder): Promise<void> {
  await db
    .deleteFrom("instance_slots")
    .where("instance_key", "=", key)
    .where("execution_id", "=", h.executionId)
    .where("owner", "=", h.owner)
    .execute();
}

/** The instance's limits, its row locked for the transaction; undefined when it has no row. */
async function lockInstance(tx: Queryable, key: string) {
  // A no-op update takes the row lock (PostgreSQL) or the write lock (SQLite): one entrant at a time.
  return tx
    .updateTable("instance_limits")
    .set((eb) => ({ rev: eb("rev", "+", 0) }))
    .where("instance_key", "=", key)
    .returning(["max_concurrent", "rate_per_sec"])
    .executeTakeFirst();
}

/** Slots whose execution lease is gone (finished, released, or a dead worker's) do not count: drops them. */
async function freeExpiredSlots(tx: Queryable, key: string, now: number): Promise<void> {
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
}
