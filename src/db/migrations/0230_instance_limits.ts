import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Per-instance limits (token bucket + concurrency slots) and the registry of live PostgreSQL workers. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  const real = dialectOf(db) === "postgres" ? "double precision" : "real";
  await db.schema
    .createTable("instance_limits")
    .addColumn("instance_key", "text", (c) => c.primaryKey())
    .addColumn("max_concurrent", "integer", (c) => c.notNull())
    .addColumn("rate_per_sec", real, (c) => c.notNull())
    .addColumn("burst", real, (c) => c.notNull())
    .addColumn("tokens", real, (c) => c.notNull())
    .addColumn("refilled_at", t.millis, (c) => c.notNull())
    .addColumn("priority_until", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("rev", t.millis, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("instance_slots")
    .addColumn("instance_key", "text", (c) => c.notNull())
    .addColumn("execution_id", "text", (c) => c.notNull())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("backfill", "integer", (c) => c.notNull())
    .addColumn("taken_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("instance_slots_pk", ["instance_key", "execution_id"])
    .execute();
  await db.schema
    .createTable("executor_workers")
    .addColumn("worker_id", "text", (c) => c.primaryKey())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("pid", "integer", (c) => c.notNull())
    .addColumn("concurrency", "integer", (c) => c.notNull())
    .addColumn("started_at", t.millis, (c) => c.notNull())
    .addColumn("last_seen_at", t.millis, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("executor_workers").execute();
  await db.schema.dropTable("instance_slots").execute();
  await db.schema.dropTable("instance_limits").execute();
}
