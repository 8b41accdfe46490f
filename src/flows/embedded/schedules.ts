import type { Queryable } from "../../db/queryable.ts";
import type { JobSpec, RecurringSchedule } from "../executor.ts";
import { schedulePayloadColumn } from "../job-payload-columns.ts";

/** The first tick of `start + k·every` at or after `at`. */
export function nextTick(startAt: number, everyMs: number, at: number): number {
  if (at <= startAt) return startAt;
  return startAt + Math.ceil((at - startAt) / everyMs) * everyMs;
}

/** Creates or replaces a schedule; an unchanged cadence keeps its next run. */
export async function upsertSchedule(db: Queryable, s: RecurringSchedule, now: number): Promise<void> {
  if (!(s.everyMs > 0)) throw new Error(`schedule ${s.key}: everyMs must be positive`);
  const existing = await db
    .selectFrom("executor_schedules")
    .selectAll()
    .where("schedule_key", "=", s.key)
    .executeTakeFirst();
  const same = existing && existing.every_ms === s.everyMs && existing.start_at === s.startAt;
  const row = {
    task: s.task,
    payload: schedulePayloadColumn.stringify(s.payload),
    queue_name: s.queue ?? null,
    every_ms: s.everyMs,
    start_at: s.startAt,
    end_at: s.endAt ?? null,
    // A new or re-timed schedule is due at its start: if that is already past (the caller read the
    // clock a moment before us), fireDueSchedules runs the latest due tick at once instead of
    // skipping a whole interval (that lost the first run of a flow activated "now").
    next_run_at: same ? existing.next_run_at : s.startAt,
    updated_at: now,
  };
  if (existing) {
    await db.updateTable("executor_schedules").set(row).where("schedule_key", "=", s.key).execute();
  } else {
    await db
      .insertInto("executor_schedules")
      .values({ schedule_key: s.key, ...row })
      .execute();
  }
}

/** Deletes a schedule and its run that has not started yet. */
export async function removeSchedule(db: Queryable, key: string, now: number): Promise<void> {
  await db.deleteFrom("executor_schedules").where("schedule_key", "=", key).execute();
  await db
    .deleteFrom("executor_jobs")
    .where("job_key", "=", key)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
    .execute();
}

/**
 * Enqueues one run for every due schedule and moves it to its next tick after `now`. Missed ticks are
 * not replayed: an incremental pull covers the gap anyway. A compare-and-set on next_run_at lets
 * several processes fire schedules without double runs.
 */
export async function fireDueSchedules(
  db: Queryable,
  now: number,
  enqueue: (job: JobSpec, tx: Queryable) => Promise<void>,
): Promise<void> {
  const due = await db.selectFrom("executor_schedules").selectAll().where("next_run_at", "<=", now).execute();
  for (const s of due) {
    await db.transaction().execute(async (tx) => {
      const next = nextTick(s.start_at, s.every_ms, now + 1);
      const over = s.end_at !== null && next > s.end_at;
      const moved = over
        ? await tx
            .deleteFrom("executor_schedules")
            .where("schedule_key", "=", s.schedule_key)
            .where("next_run_at", "=", s.next_run_at)
            .executeTakeFirst()
            .then((r) => Number(r.numDeletedRows))
        : await tx
            .updateTable("executor_schedules")
            .set({ next_run_at: next })
            .where("schedule_key", "=", s.schedule_key)
            .where("next_run_at", "=", s.next_run_at)
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows));
      if (moved !== 1) return;
      // The latest tick that is due: missed ones collapse into it.
      const at = s.start_at + Math.floor((now - s.start_at) / s.every_ms) * s.every_ms;
      const job: JobSpec = {
        task: s.task,
        payload: { ...schedulePayloadColumn.parse(s.payload), scheduledAt: at },
        key: s.schedule_key,
        keyMode: "preserve",
        runAt: at,
        ...(s.queue_name !== null ? { queue: s.queue_name } : {}),
      };
      await enqueue(job, tx);
    });
  }
}
