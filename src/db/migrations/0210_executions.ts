import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Flow executions (lease + checkpoint), per-flow sync state, and the embedded executor's jobs and schedules. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("flow_executions")
    .addColumn("execution_id", "text", (c) => c.primaryKey())
    .addColumn("flow_name", "text", (c) => c.notNull())
    .addColumn("flow_arn", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("active_flow", "text")
    .addColumn("trigger_kind", "text", (c) => c.notNull())
    .addColumn("pull_mode", "text", (c) => c.notNull())
    .addColumn("window_from", t.millis)
    .addColumn("window_to", t.millis)
    .addColumn("since_checkpoint", "text")
    .addColumn("checkpoint", "text")
    .addColumn("read_done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("started_at", t.millis, (c) => c.notNull())
    .addColumn("last_updated_at", t.millis, (c) => c.notNull())
    .addColumn("finished_at", t.millis)
    .addColumn("records_processed", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("bytes_processed", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("bytes_written", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("put_failures_count", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("records_dropped", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("deletions_processed", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("execution_message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", t.millis, (c) => c.notNull().defaultTo(0))
    .execute();
  // One active execution per flow, enforced by the database for every runner on every machine.
  await db.schema
    .createIndex("flow_executions_one_active")
    .on("flow_executions")
    .column("active_flow")
    .unique()
    .execute();
  await db.schema
    .createIndex("flow_executions_by_flow")
    .on("flow_executions")
    .columns(["flow_name", "started_at"])
    .execute();
  await db.schema
    .createIndex("flow_executions_by_lease")
    .on("flow_executions")
    .columns(["active_flow", "lease_expires_at"])
    .execute();
  await db.schema
    .createTable("flow_sync_state")
    .addColumn("flow_name", "text", (c) => c.primaryKey())
    .addColumn("last_checkpoint", "text")
    .addColumn("last_window_end", t.millis)
    .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("executor_jobs")
    .addColumn("job_id", "text", (c) => c.primaryKey())
    .addColumn("task", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("job_key", "text", (c) => c.unique())
    .addColumn("queue_name", "text")
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("run_at", t.millis, (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("backoff_base_ms", "integer", (c) => c.notNull())
    .addColumn("last_error", "text")
    .addColumn("locked_by", "text")
    .addColumn("locked_until", t.millis)
    .addColumn("failed_at", t.millis)
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("executor_jobs_due")
    .on("executor_jobs")
    .columns(["run_at", "priority"])
    .execute();
  await db.schema
    .createTable("executor_schedules")
    .addColumn("schedule_key", "text", (c) => c.primaryKey())
    .addColumn("task", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("queue_name", "text")
    .addColumn("every_ms", t.millis, (c) => c.notNull())
    .addColumn("start_at", t.millis, (c) => c.notNull())
    .addColumn("end_at", t.millis)
    .addColumn("next_run_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("executor_schedules").execute();
  await db.schema.dropTable("executor_jobs").execute();
  await db.schema.dropTable("flow_sync_state").execute();
  await db.schema.dropTable("flow_executions").execute();
}
