import type { Kysely } from "kysely";

/**
 * flows.source_connector_profile: the connector profile a flow reads from, kept beside its definition
 * so DeleteConnectorProfile finds the profile's flows by an index instead of parsing every flow's JSON
 * (as 0240 did for the destination domain).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("flows").addColumn("source_connector_profile", "text").execute();
  const rows = await db.selectFrom("flows").select(["name", "definition"]).execute();
  for (const r of rows as { name: string; definition: string }[]) {
    const def = JSON.parse(r.definition) as { sourceFlowConfig?: { connectorProfileName?: string } };
    const profile = def.sourceFlowConfig?.connectorProfileName;
    if (profile) {
      await db
        .updateTable("flows")
        .set({ source_connector_profile: profile })
        .where("name", "=", r.name)
        .execute();
    }
  }
  await db.schema
    .createIndex("flows_source_connector_profile")
    .on("flows")
    .column("source_connector_profile")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("flows_source_connector_profile").execute();
  await db.schema.alterTable("flows").dropColumn("source_connector_profile").execute();
}
