import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Access keys for SigV4 verification and resource tags (both services). */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("access_keys")
    .addColumn("access_key_id", "text", (c) => c.primaryKey())
    .addColumn("secret_ciphertext", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("is_root", t.bool, (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("resource_tags")
    .addColumn("resource_arn", "text", (c) => c.notNull())
    .addColumn("tag_key", "text", (c) => c.notNull())
    .addColumn("tag_value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("resource_tags_pk", ["resource_arn", "tag_key"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("resource_tags").execute();
  await db.schema.dropTable("access_keys").execute();
}
