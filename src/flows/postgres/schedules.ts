import type { Queryable } from "../../db/queryable.ts";
import { removeQueueJob } from "./job-sql.ts";

// Schedules live in our executor_schedules table in both modes; only their waiting run differs.
export { fireDueSchedules, upsertSchedule } from "../embedded/schedules.ts";

/** Deletes a schedule and its run that has not started yet (the queue row keyed by the schedule). */
export async function removeSchedule(db: Queryable, key: string): Promise<void> {
  await db.deleteFrom("executor_schedules").where("schedule_key", "=", key).execute();
  await removeQueueJob(db, key);
}
