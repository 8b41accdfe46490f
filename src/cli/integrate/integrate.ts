import { GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { BULK_THRESHOLD_DAYS } from "../../flows/workflows/planner.ts";
import type { ApiClients } from "./api-clients.ts";
import { establishConnection } from "./connection.ts";
import { reviewAndCreate } from "./create-integrations.ts";
import type { IntegrateFlags, IntegrateResult, Need } from "./integrate-options.ts";
import { DAY, parseStart, SOURCES, type SourceName } from "./integrate-options.ts";
import { planObjects } from "./integration-plan.ts";
import type { Prompter } from "./prompter.ts";
import { chooseRole } from "./workflow-role.ts";

/**
 * The seed's setup path: source, connection (existing, or new and tested until Connected), objects and
 * their object types (templates by default), the start date (more than BULK_THRESHOLD_DAYS back → a bulk workflow,
 * with the role), review, create. Prompts for anything missing when `prompter` is given.
 */
export async function integrate(
  api: ApiClients,
  f: IntegrateFlags,
  out: NodeJS.WritableStream,
  prompter?: Prompter,
  now = Date.now(),
): Promise<IntegrateResult> {
  const need: Need = async (value, question, def) => {
    if (value) return value;
    if (!prompter) {
      if (def !== undefined) return def;
      throw new Error(`Missing ${question}: give it as a flag or run in a terminal.`);
    }
    return prompter.ask(question, def);
  };
  const domain = await need(f.domain, "Domain name");
  const domainInfo = await api.profiles.send(new GetDomainCommand({ DomainName: domain }));

  // 1. Select source
  let sourceName = f.source?.toLowerCase();
  if (!sourceName && prompter)
    sourceName = (await prompter.choose("Source", Object.keys(SOURCES))).toLowerCase();
  if (!sourceName || !(sourceName in SOURCES))
    throw new Error(`--source must be one of ${Object.keys(SOURCES).join(", ")}.`);
  const source = SOURCES[sourceName as SourceName];
  if (
    prompter &&
    !f.yes &&
    !(await prompter.confirm("I've read the integration requirements for this source"))
  ) {
    throw new Error("Stopped: read the integration requirements first.");
  }

  // 2. Establish connection
  const connection = await establishConnection(api, f, source, out, prompter, need);

  // 3. Integration options: objects and object types (templates by default)
  const plan = await planObjects(api, f, source, prompter, need);

  // 4. Ingestion start date: default 30 days back; more than BULK_THRESHOLD_DAYS → a bulk workflow (not for Zendesk)
  const startText = await need(f.start, "Ingestion start date (YYYY-MM-DD or Nd back)", "30d");
  const start = parseStart(startText, now);
  const bulk = source.bulk && now - start > BULK_THRESHOLD_DAYS * DAY;
  const role = bulk ? await chooseRole(f, domain, out, prompter) : undefined;
  const kmsArn =
    f.kmsArn ??
    (domainInfo.DefaultEncryptionKey?.startsWith("arn:aws:kms:")
      ? domainInfo.DefaultEncryptionKey
      : "arn:aws:kms:us-east-1:000000000000:key/profileflow-domain-key");

  // 5. Review and integrate
  return reviewAndCreate(
    api,
    {
      domain,
      source,
      connection,
      plan,
      start,
      bulk,
      role,
      kmsArn,
      domainKeyArn: domainInfo.DefaultEncryptionKey ?? kmsArn,
    },
    f,
    out,
    prompter,
  );
}
