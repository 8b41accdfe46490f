import type { Kysely } from "kysely";

/**
 * flows.destination_domain: the Customer Profiles domain a flow writes into, kept beside its definition
 * so DeleteDomain finds the domain's flows by an index instead of parsing every flow's JSON.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("flows").addColumn("destination_domain", "text").execute();
  const rows = await db.selectFrom("flows").select(["name", "definition"]).execute();
  for (const r of rows as { name: string; definition: string }[]) {
    const def = JSON.parse(r.definition) as {
      destinationFlowConfigList?: {
        destinationConnectorProperties?: { CustomerProfiles?: { domainName?: string } };
      }[];
    };
    const domain =
      def.destinationFlowConfigList?.[0]?.destinationConnectorProperties?.CustomerProfiles?.domainName;
    if (domain) {
      await db.updateTable("flows").set({ destination_domain: domain }).where("name", "=", r.name).execute();
    }
  }
  await db.schema.createIndex("flows_destination_domain").on("flows").column("destination_domain").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("flows_destination_domain").execute();
  await db.schema.alterTable("flows").dropColumn("destination_domain").execute();
}
