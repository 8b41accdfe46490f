import { sql } from "kysely";
import type { Server } from "../main.ts";
import { DEMO_SOURCES } from "./demo-sources.ts";

/** A key of a profile joined across sources, to show a search that finds one person in several systems. */
async function joinedKey(
  server: Server,
  domain: string,
): Promise<{ key: string; value: string } | undefined> {
  const r = await sql<{ key_name: string; key_value: string }>`
    select k.key_name, k.key_value from profile_keys k
    where k.domain_name = ${domain} and k.key_name = '_salesforceContactId' and k.profile_id in (
      select profile_id from profile_objects where domain_name = ${domain}
      group by profile_id having count(distinct object_type_name) > 1)
    order by k.key_value limit 1`.execute(server.database.db);
  const row = r.rows[0];
  return row ? { key: row.key_name, value: row.key_value } : undefined;
}

/** The endpoint, the credentials, and AWS CLI / SDK lines to explore what the demo built. */
export async function exploreHelp(
  server: Server,
  endpoint: string,
  dataDir: string,
  domain = "demo",
): Promise<string> {
  const k = server.rootKey;
  const region = server.config.region;
  const e = `--endpoint-url ${endpoint}`;
  const sample = await joinedKey(server, domain);
  const search = sample
    ? `aws customer-profiles search-profiles --domain-name ${domain} --key-name ${sample.key} --values ${sample.value} ${e}`
    : `aws customer-profiles search-profiles --domain-name ${domain} --key-name _email --values someone@example.com ${e}`;
  const wf = DEMO_SOURCES.find((s) => s.via === "workflow");
  return `Explore it (the API is at ${endpoint}; credentials also in ${dataDir}/server/credentials):
  export AWS_ACCESS_KEY_ID=${k.accessKeyId} AWS_SECRET_ACCESS_KEY=${k.secretAccessKey} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}
  aws customer-profiles get-domain --domain-name ${domain} ${e}
  ${search}
  aws customer-profiles list-workflows --domain-name ${domain} ${e}
  aws customer-profiles get-workflow-steps --domain-name ${domain} --workflow-id <id from list-workflows> ${e}
  aws appflow describe-flow-execution-records --flow-name ${wf?.flowName ?? "demo-salesforce-contacts"} ${e}
  npx profileflow dead-letters --domain ${domain} --data ${dataDir}/server

From code (AWS SDK for JavaScript v3):
  import { CustomerProfilesClient, GetDomainCommand } from "@aws-sdk/client-customer-profiles";
  const cp = new CustomerProfilesClient({ endpoint: "${endpoint}", region: "${region}",
    credentials: { accessKeyId: "${k.accessKeyId}", secretAccessKey: "${k.secretAccessKey}" } });
  console.log((await cp.send(new GetDomainCommand({ DomainName: "${domain}" }))).Stats);
`;
}
