import type { Kysely } from "kysely";

/**
 * workflows.acts_as_role (issue 16, point 3): 1 when CreateIntegrationWorkflow found the role (it
 * exists and trusts profile.amazonaws.com), so every action the workflow takes is authorized against
 * the role's policies; 0 for the account root's legacy mode (a role that did not exist: the ARN is
 * stored only) and for workflows created before roles were enforced.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("workflows")
    .addColumn("acts_as_role", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("workflows").dropColumn("acts_as_role").execute();
}
