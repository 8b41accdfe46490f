import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * KMS (issue 16, point 4): customer managed keys whose 256-bit material is stored only wrapped by the
 * server's master key, their aliases and grants, and each domain's data key (wrapped by the domain's
 * KMS key) under which the domain's connector credentials, object payloads and profile fields are sealed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("kms_keys")
    .addColumn("key_id", "text", (c) => c.primaryKey())
    .addColumn("arn", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("key_state", "text", (c) => c.notNull())
    .addColumn("key_usage", "text", (c) => c.notNull())
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("material_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("deletion_date", t.millis)
    .addColumn("pending_window_days", "integer")
    .execute();
  await db.schema
    .createTable("kms_aliases")
    .addColumn("alias_name", "text", (c) => c.primaryKey())
    .addColumn("target_key_id", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kms_aliases_target").on("kms_aliases").column("target_key_id").execute();
  await db.schema
    .createTable("kms_grants")
    .addColumn("grant_id", "text", (c) => c.primaryKey())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("grant_token", "text", (c) => c.notNull().unique())
    .addColumn("name", "text")
    .addColumn("grantee_principal", "text", (c) => c.notNull())
    .addColumn("retiring_principal", "text")
    .addColumn("operations", "text", (c) => c.notNull())
    .addColumn("constraints", "text")
    .addColumn("issuing_account", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kms_grants_key").on("kms_grants").column("key_id").execute();
  await db.schema
    .createTable("domain_data_keys")
    .addColumn("domain_name", "text", (c) => c.primaryKey())
    .addColumn("key_arn", "text", (c) => c.notNull())
    .addColumn("wrapped_key", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["domain_data_keys", "kms_grants", "kms_aliases", "kms_keys"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
