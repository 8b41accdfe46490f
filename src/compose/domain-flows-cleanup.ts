import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { FlowDefinition } from "../flows/flow-definition.ts";
import type { FlowEngine } from "../flows/flow-engine.ts";

/**
 * DeleteDomain hook: the domain's integrations go, and so do the flows that write into it (their
 * schedules, executions and tags), inside the domain's delete transaction.
 */
export function deleteDomainFlows(engine: FlowEngine) {
  return async (trx: Kysely<Database>, domainName: string): Promise<void> => {
    const flows = await trx.selectFrom("flows").select(["name", "arn", "definition"]).execute();
    const mine = flows.filter(
      (f) =>
        (JSON.parse(f.definition) as FlowDefinition).destinationFlowConfigList[0]
          ?.destinationConnectorProperties.CustomerProfiles.domainName === domainName,
    );
    const integrations = await trx
      .selectFrom("integrations")
      .select("uri")
      .where("domain_name", "=", domainName)
      .execute();
    for (const f of mine) {
      await engine.forgetFlow(f.name, trx);
      await trx.deleteFrom("resource_tags").where("resource_arn", "=", f.arn).execute();
      await trx.deleteFrom("flows").where("name", "=", f.name).execute();
    }
    for (const i of integrations)
      await trx.deleteFrom("resource_tags").where("resource_arn", "=", i.uri).execute();
    await trx.deleteFrom("integrations").where("domain_name", "=", domainName).execute();
  };
}
