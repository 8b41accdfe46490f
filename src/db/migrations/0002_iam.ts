import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * IAM and STS (issue 16): users (whose access keys share `access_keys` with the account root), roles
 * with their trust policies, managed policies, inline policies, attachments, and the temporary
 * credentials AssumeRole and GetSessionToken hand out. Names are unique without regard to case, as
 * in IAM (`*_key` columns hold the lower-cased name).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema.alterTable("access_keys").addColumn("user_name", "text").execute();
  await db.schema
    .alterTable("access_keys")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("Active"))
    .execute();
  await db.schema
    .createTable("iam_users")
    .addColumn("user_key", "text", (c) => c.primaryKey())
    .addColumn("user_name", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().unique())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("iam_roles")
    .addColumn("role_key", "text", (c) => c.primaryKey())
    .addColumn("role_name", "text", (c) => c.notNull())
    .addColumn("role_id", "text", (c) => c.notNull().unique())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("trust_policy", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("max_session_duration", "integer", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("iam_policies")
    .addColumn("policy_key", "text", (c) => c.primaryKey())
    .addColumn("policy_name", "text", (c) => c.notNull())
    .addColumn("policy_id", "text", (c) => c.notNull().unique())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("iam_attachments")
    .addColumn("principal_type", "text", (c) => c.notNull())
    .addColumn("principal_key", "text", (c) => c.notNull())
    .addColumn("policy_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("iam_attachments_pk", ["principal_type", "principal_key", "policy_key"])
    .execute();
  await db.schema
    .createIndex("iam_attachments_policy")
    .on("iam_attachments")
    .columns(["policy_key"])
    .execute();
  await db.schema
    .createTable("iam_inline_policies")
    .addColumn("principal_type", "text", (c) => c.notNull())
    .addColumn("principal_key", "text", (c) => c.notNull())
    .addColumn("policy_key", "text", (c) => c.notNull())
    .addColumn("policy_name", "text", (c) => c.notNull())
    .addColumn("document", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("iam_inline_policies_pk", ["principal_type", "principal_key", "policy_key"])
    .execute();
  await db.schema
    .createTable("iam_sessions")
    .addColumn("access_key_id", "text", (c) => c.primaryKey())
    .addColumn("secret_ciphertext", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull())
    .addColumn("principal_type", "text", (c) => c.notNull())
    .addColumn("principal_key", "text", (c) => c.notNull())
    .addColumn("session_name", "text")
    .addColumn("expires_at", t.millis, (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "iam_sessions",
    "iam_inline_policies",
    "iam_attachments",
    "iam_policies",
    "iam_roles",
    "iam_users",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable("access_keys").dropColumn("status").execute();
  await db.schema.alterTable("access_keys").dropColumn("user_name").execute();
}
