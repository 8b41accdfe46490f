import type { Command } from "commander";
import { BULK_THRESHOLD_DAYS } from "../../flows/workflows/planner.ts";
import { apiClients } from "../integrate/api-clients.ts";
import { integrate } from "../integrate/integrate.ts";
import type { IntegrateFlags } from "../integrate/integrate-options.ts";
import { Prompter } from "../integrate/prompter.ts";

// The command's parts live in ../integrate/ (one file per step); other commands and tests import them from here.
export { type ApiClients, type ApiFlags, apiClients } from "../integrate/api-clients.ts";
export { integrate } from "../integrate/integrate.ts";
export type { IntegrateFlags, IntegrateResult } from "../integrate/integrate-options.ts";
export { parseStart, SOURCES, type SourceName } from "../integrate/integrate-options.ts";
export { Prompter } from "../integrate/prompter.ts";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `profileflow integrate`: the seed's integration setup, by flags or prompts (in a terminal). */
export function registerIntegrate(program: Command): void {
  program
    .command("integrate")
    .description(
      `set up an integration: source, connection, objects, start date (>${BULK_THRESHOLD_DAYS} days back: a bulk workflow)`,
    )
    .option(
      "--endpoint <url>",
      "profileflow API endpoint (default $PROFILEFLOW_ENDPOINT or http://127.0.0.1:4590)",
    )
    .option("--region <region>", "region to sign for (default us-east-1)")
    .option(
      "-d, --data <dir>",
      "the server's data directory, for its credentials file (default ./.profileflow)",
    )
    .option("--domain <name>", "Customer Profiles domain")
    .option("--source <source>", "salesforce | servicenow | marketo | zendesk")
    .option("--connection <name>", "use an existing connection (AppFlow connector profile)")
    .option("--new-connection <name>", "create a connection with this name (tested before it is saved)")
    .option("--instance-url <url>", "the new connection's instance URL")
    .option("--credential <key=value>", "a credential member of the new connection (repeat)", collect)
    .option("--objects <list>", "source objects, comma separated (default: every object with a template)")
    .option(
      "--object-type <object=type>",
      "object type for a source object (repeat; default its template)",
      collect,
    )
    .option("--start <date>", "ingestion start: YYYY-MM-DD or Nd back (default 30d)")
    .option(
      "--role-arn <arn>",
      `role for the bulk workflow (start more than ${BULK_THRESHOLD_DAYS} days back)`,
    )
    .option(
      "--create-role <name>",
      "create the bulk workflow's role: trusted by profile.amazonaws.com, the least-privilege policy for the domain and its key",
    )
    .option("--kms-arn <arn>", "KmsArn of the flows (default the domain's key)")
    .option("--schedule <expr>", "continuous schedule (default rate(1hours))")
    .option("-y, --yes", "no confirmations")
    .action(async (flags: IntegrateFlags) => {
      const api = apiClients(flags);
      const prompter = process.stdin.isTTY ? new Prompter(process.stdin, process.stdout) : undefined;
      try {
        await integrate(api, flags, process.stdout, prompter);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        prompter?.close();
        api.close();
      }
    });
}
