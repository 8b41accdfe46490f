import type { Server } from "../main.ts";
import { DEMO_SOURCES } from "./demo-sources.ts";

/** A key of a profile joined across sources, to show a search that finds one person in several systems. */
async function joinedKey(
  server: Server,
  domain: string,
): Promise<{ key: string; value: string } | undefined> {
  const key = "_salesforceContactId";
  const value = await server.profileService.keyOfJoinedProfile(domain, key).catch(() => undefined);
  return value === undefined ? undefined : { key, value };
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
