import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Connector profiles, secrets, flows and clientToken idempotency. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("connector_profiles")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("arn", "text", (c) => c.notNull().unique())
    .addColumn("connector_type", "text", (c) => c.notNull())
    .addColumn("connector_label", "text")
    .addColumn("connection_mode", "text", (c) => c.notNull())
    .addColumn("properties", "text", (c) => c.notNull())
    .addColumn("credentials_sealed", "text")
    .addColumn("kms_arn", "text")
    .addColumn("connection_status", "text", (c) => c.notNull())
    .addColumn("connection_message", "text")
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("arn", "text", (c) => c.notNull().unique())
    .addColumn("description", "text")
    .addColumn("kms_key_id", "text")
    .addColumn("secret_sealed", "text", (c) => c.notNull())
    .addColumn("version_id", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addColumn("deleted_at", t.millis)
    .execute();
  await db.schema
    .createTable("flows")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("arn", "text", (c) => c.notNull().unique())
    .addColumn("definition", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text")
    .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("workflow_id", "text")
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("idempotency_tokens")
    .addColumn("token_key", "text", (c) => c.primaryKey())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("response", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["idempotency_tokens", "flows", "secrets", "connector_profiles"]) {
    await db.schema.dropTable(table).execute();
  }
}
