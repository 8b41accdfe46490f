import { type Kysely, sql } from "kysely";

/**
 * RecordsProcessed kept as counts instead of counted per request (issue 18: a GetWorkflow over a
 * workflow of 1M records counted them all — 69 ms on SQLite, every poll). `workflow_records` holds each
 * distinct record of a workflow once (a record two steps handed over counts once), so an insert that
 * conflicts tells a record already counted; `workflows.records_processed` and
 * `workflow_flow_records.records` are what the inserts added. Counts of existing workflows are computed
 * here, once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("workflow_records")
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("record_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_records_pk", ["workflow_id", "record_id"])
    .execute();
  await db.schema
    .createTable("workflow_flow_records")
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("flow_name", "text", (c) => c.notNull())
    .addColumn("records", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_flow_records_pk", ["workflow_id", "flow_name"])
    .execute();
  await db.schema
    .alterTable("workflows")
    .addColumn("records_processed", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into workflow_records (workflow_id, record_id)
    select distinct workflow_id, record_id from workflow_step_records`.execute(db);
  await sql`insert into workflow_flow_records (workflow_id, flow_name, records)
    select workflow_id, flow_name, count(*) from workflow_step_records group by workflow_id, flow_name`.execute(
    db,
  );
  await sql`update workflows set records_processed =
    (select count(*) from workflow_records r where r.workflow_id = workflows.workflow_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workflows").dropColumn("records_processed").execute();
  await db.schema.dropTable("workflow_flow_records").execute();
  await db.schema.dropTable("workflow_records").execute();
}
