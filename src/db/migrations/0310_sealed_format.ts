import type { Kysely } from "kysely";

/**
 * Each encrypted domain's sealed format (issue 16): domains whose data key was made before profile
 * fields, history, merge records and dead-letter messages were sealed and key values indexed hold
 * such values in clear; they get 1, converted in place at start-up (src/profiles/sealed-format-upgrade.ts),
 * which then sets 2. New domains are written with 2.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("domain_data_keys")
    .addColumn("sealed_format", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("domain_data_keys").dropColumn("sealed_format").execute();
}
