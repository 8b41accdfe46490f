import type { Server } from "../main.ts";
import { DEMO_OBJECTS, DEMO_SOURCES } from "./demo-sources.ts";

/** A person to look at: a Salesforce contact's id, its profile, and the related object types it holds. */
interface Sample {
  key: string;
  value: string;
  profileId: string;
  relatedTypes: string[];
}

/**
 * The profile of a Salesforce contact holding the most sources and kinds of related objects (assets,
 * tasks, incidents, tickets): one person across several systems.
 */
async function samplePerson(server: Server, domain: string): Promise<Sample | undefined> {
  const source = new Map(DEMO_OBJECTS.map((s) => [s.objectTypeName, s]));
  const byProfile = new Map<string, { contact?: string; vendors: Set<string>; related: Set<string> }>();
  for (const p of await server.profileService.placements(domain).catch(() => [])) {
    const s = source.get(p.objectTypeName);
    if (!s) continue;
    const e = byProfile.get(p.profileId) ?? { vendors: new Set(), related: new Set() };
    e.vendors.add(s.vendor);
    if (s.kind === "related") e.related.add(s.objectTypeName);
    if (s.objectTypeName === "Salesforce-Contact") e.contact = p.objectKey;
    byProfile.set(p.profileId, e);
  }
  let best: Sample | undefined;
  let score = 0;
  for (const [profileId, e] of byProfile) {
    const n = e.vendors.size + e.related.size;
    if (e.contact === undefined || n <= score) continue;
    score = n;
    best = { key: "_salesforceContactId", value: e.contact, profileId, relatedTypes: [...e.related].sort() };
  }
  return best;
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
  const sample = await samplePerson(server, domain);
  const search = sample
    ? `aws customer-profiles search-profiles --domain-name ${domain} --key-name ${sample.key} --values ${sample.value} ${e}` +
      sample.relatedTypes
        .map(
          (t) =>
            `\n  aws customer-profiles list-profile-objects --domain-name ${domain} --profile-id ${sample.profileId} --object-type-name ${t} ${e}`,
        )
        .join("")
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
