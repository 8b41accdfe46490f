import { type Kysely, sql } from "kysely";

/**
 * RecordsProcessed kept as counts instead of counted per request (issue 18: a GetWorkflow over a
 * workflow of 1M records counted them all — 69 ms on SQLite, every poll). `workflow_records` holds each
 * distinct record of a workflow once (a record two steps handed over counts once), so an insert that
 * conflicts tells a record already counted. Each page that noted records appends one
 * `workflow_record_tallies` row with what was new to its flow and to the workflow: only inserts, so a
 * page's transaction locks no row that DeleteWorkflow deletes, and the counts are sums over a
 * workflow's pages, not its records. Existing workflows get one tally per flow here (a record counted
 * for the workflow under the first of its flows by name).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("workflow_records")
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("record_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("workflow_records_pk", ["workflow_id", "record_id"])
    .execute();
  await db.schema
    .createTable("workflow_record_tallies")
    .addColumn("workflow_id", "text", (c) => c.notNull())
    .addColumn("flow_name", "text", (c) => c.notNull())
    .addColumn("new_to_flow", "integer", (c) => c.notNull())
    .addColumn("new_to_workflow", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("workflow_record_tallies_by_workflow")
    .on("workflow_record_tallies")
    .columns(["workflow_id", "flow_name"])
    .execute();
  await sql`insert into workflow_records (workflow_id, record_id)
    select distinct workflow_id, record_id from workflow_step_records`.execute(db);
  await sql`insert into workflow_record_tallies (workflow_id, flow_name, new_to_flow, new_to_workflow)
    select s.workflow_id, s.flow_name, count(*),
      sum(case when exists (
        select 1 from workflow_step_records o
        where o.workflow_id = s.workflow_id and o.record_id = s.record_id and o.flow_name < s.flow_name
      ) then 0 else 1 end)
    from workflow_step_records s
    group by s.workflow_id, s.flow_name`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("workflow_record_tallies").execute();
  await db.schema.dropTable("workflow_records").execute();
}
