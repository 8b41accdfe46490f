import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/** Profiles, profile objects, keys (indexed for matching and search), history and dead letters. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("profiles")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("manual", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("profiles_pk", ["domain_name", "profile_id"])
    .execute();
  await db.schema
    .createTable("profile_objects")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("object_key", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("source_timestamp", t.millis)
    .addColumn("priority", "integer")
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_objects_pk", ["domain_name", "object_type_name", "object_key"])
    .execute();
  await db.schema
    .createIndex("profile_objects_profile")
    .on("profile_objects")
    .columns(["domain_name", "profile_id"])
    .execute();
  await db.schema
    .createTable("profile_keys")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("key_name", "text", (c) => c.notNull())
    .addColumn("key_value", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("origin", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("object_key", "text", (c) => c.notNull())
    .execute();
  // Matching and search probe (domain, key name, key value); deletes and recomputes go by profile.
  await db.schema
    .createIndex("profile_keys_lookup")
    .on("profile_keys")
    .columns(["domain_name", "key_name", "key_value"])
    .execute();
  await db.schema
    .createIndex("profile_keys_profile")
    .on("profile_keys")
    .columns(["domain_name", "profile_id"])
    .execute();
  await db.schema
    .createTable("profile_key_types")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("key_name", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_key_types_pk", ["domain_name", "key_name"])
    .execute();
  await db.schema
    .createTable("profile_history")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("record_id", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("action_type", "text", (c) => c.notNull())
    .addColumn("object_key", "text")
    .addColumn("performed_by", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_history_pk", ["domain_name", "record_id"])
    .execute();
  await db.schema
    .createIndex("profile_history_profile")
    .on("profile_history")
    .columns(["domain_name", "profile_id", "created_at"])
    .execute();
  await db.schema
    .createTable("profile_dead_letters")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("dead_letter_id", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("object_key", "text")
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("reason_code", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_dead_letters_pk", ["domain_name", "dead_letter_id"])
    .execute();
  await db.schema
    .createIndex("profile_dead_letters_time")
    .on("profile_dead_letters")
    .columns(["domain_name", "created_at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "profile_dead_letters",
    "profile_history",
    "profile_key_types",
    "profile_keys",
    "profile_objects",
    "profiles",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
