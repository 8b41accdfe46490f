import type { Kysely } from "kysely";

/**
 * When an execution last committed a checkpoint (null: none yet, its start counts). A page group is
 * committed in parts with the checkpoint in the last (docs/architecture.md, "Pages committed in parts"):
 * what was stored after this time may be a part that committed before a crash, read again on resume.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("flow_executions").addColumn("checkpoint_at", "bigint").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("flow_executions").dropColumn("checkpoint_at").execute();
}
