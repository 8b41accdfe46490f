import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Domains and their object types. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("domains")
    .addColumn("domain_name", "text", (c) => c.primaryKey())
    .addColumn("default_expiration_days", "integer", (c) => c.notNull())
    .addColumn("default_encryption_key", "text")
    .addColumn("generated_encryption_key", "text", (c) => c.notNull())
    .addColumn("dead_letter_queue_url", "text")
    .addColumn("matching", "text")
    .addColumn("rule_based_matching", "text")
    .addColumn("data_store", "text")
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("object_types")
    .addColumn("domain_name", "text", (c) =>
      c.notNull().references("domains.domain_name").onDelete("cascade"),
    )
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("implicit", t.bool, (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("object_types_pk", ["domain_name", "object_type_name"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("object_types").execute();
  await db.schema.dropTable("domains").execute();
}
