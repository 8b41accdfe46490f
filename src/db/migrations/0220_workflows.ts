import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Integration workflows (historical backfill): the workflow, its steps, and the distinct records each step saw. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("workflows")
    .addColumn("workflow_id", "text", (c) => c.primaryKey())
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("workflow_type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error_description", "text")
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("role_arn", "text", (c) => c.notNull())
    .addColumn("connector_type", "text", (c) => c.notNull())
    .addColumn("connector_profile_name", "text", (c) => c.notNull())
    .addColumn("flow_definition", "text", (c) => c.notNull())
    .addColumn("tags", "text")
    .addColumn("integration_uri", "text")
    .addColumn("history_end", t.millis, (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("last_updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("workflows_by_domain")
    .on("workflows")
    .columns(["domain_name", "created_at"])
    .execute();
  await db.schema
    .createTable("workflow_steps")
    .addColumn("step_id", "text", (c) => c.primaryKey())
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("parent_step_id", "text")
    .addColumn("flow_name", "text", (c) => c.notNull().unique())
    .addColumn("window_from", t.millis, (c) => c.notNull())
    .addColumn("window_to", t.millis, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("execution_id", "text")
    .addColumn("execution_message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("next_run_at", t.millis, (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("last_updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("workflow_steps_by_workflow")
    .on("workflow_steps")
    .columns(["workflow_id", "seq"])
    .execute();
  await db.schema
    .createIndex("workflow_steps_by_execution")
    .on("workflow_steps")
    .column("execution_id")
    .execute();
  // One row per (step flow, record id): RecordsProcessed counts distinct records, not re-reads.
  await db.schema
    .createTable("workflow_step_records")
    .addColumn("flow_name", "text", (c) => c.notNull())
    .addColumn("record_id", "text", (c) => c.notNull())
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_step_records_pk", ["flow_name", "record_id"])
    .execute();
  await db.schema
    .createIndex("workflow_step_records_by_workflow")
    .on("workflow_step_records")
    .columns(["workflow_id", "record_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("workflow_step_records").execute();
  await db.schema.dropTable("workflow_steps").execute();
  await db.schema.dropTable("workflows").execute();
}
