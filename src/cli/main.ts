import { Command } from "commander";
import { registerAudit } from "./commands/audit.ts";
import { registerDeadLetters } from "./commands/dead-letters.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerIntegrate } from "./commands/integrate.ts";
import { registerSandbox } from "./commands/sandbox.ts";
import { registerServe } from "./commands/serve.ts";
import { registerStatus } from "./commands/status.ts";
import { registerWorker } from "./commands/worker.ts";

/** Builds the `profileflow` command tree. Each command lives in src/cli/commands/<name>.ts. */
export function buildProgram(): Command {
  const program = new Command("profileflow")
    .description("Unified customer profiles in sync with Salesforce, ServiceNow, Marketo and Zendesk")
    .version("0.1.0");
  registerServe(program);
  registerWorker(program);
  registerSandbox(program);
  registerDeadLetters(program);
  registerDemo(program);
  registerIntegrate(program);
  registerStatus(program);
  registerAudit(program);
  return program;
}

/** Entry point used by bin/profileflow.js. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
