import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";

/** A job's payload: a JSON object its task handler reads. */
export const jobPayloadSchema = z.record(z.string(), z.unknown());
export type JobPayload = z.infer<typeof jobPayloadSchema>;

/** `executor_jobs.payload`. */
export const jobPayloadColumn = jsonColumn("executor_jobs", "payload", jobPayloadSchema);
/** `executor_schedules.payload`: the payload of each run a schedule enqueues. */
export const schedulePayloadColumn = jsonColumn("executor_schedules", "payload", jobPayloadSchema);
