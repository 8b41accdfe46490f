import type { Kysely } from "kysely";

/**
 * clientToken records fingerprint requests with an HMAC under a key derived from the master key
 * (`request_mac`) instead of a plain SHA-256, which let anyone with a copy of the database test
 * password guesses offline against stored CreateConnectorProfile requests. Existing rows hold such
 * SHA-256 values: they are deleted (a token lives 8 hours; a retry across the upgrade runs anew).
 * `created_at` is indexed so expired records are found without a scan.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("idempotency_tokens").execute();
  await db.schema.alterTable("idempotency_tokens").renameColumn("request_hash", "request_mac").execute();
  await db.schema
    .createIndex("idempotency_tokens_created_at")
    .on("idempotency_tokens")
    .column("created_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("idempotency_tokens_created_at").execute();
  await db.deleteFrom("idempotency_tokens").execute();
  await db.schema.alterTable("idempotency_tokens").renameColumn("request_mac", "request_hash").execute();
}
