import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Integrations: a flow bound to a domain and an object type (PutIntegration). */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("integrations")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("uri", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("flow_name", "text")
    .addColumn("role_arn", "text")
    .addColumn("workflow_id", "text")
    .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("integrations_pk", ["domain_name", "uri"])
    .execute();
  await db.schema.createIndex("integrations_flow").on("integrations").column("flow_name").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("integrations").execute();
}
