import { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Each command lives in src/cli/commands/<name>.ts, loaded only when it may run: `profileflow serve` does
 * not load the AWS SDK clients of `integrate`/`status`/`audit` nor the vendor sandboxes (≈ 16 MB of a
 * server's memory, docs/benchmarks.md "The server compiled at install"). In help order.
 */
const commands: Record<string, () => Promise<Register>> = {
  serve: async () => (await import("./commands/serve.ts")).registerServe,
  worker: async () => (await import("./commands/worker.ts")).registerWorker,
  sandbox: async () => (await import("./commands/sandbox.ts")).registerSandbox,
  "dead-letters": async () => (await import("./commands/dead-letters.ts")).registerDeadLetters,
  demo: async () => (await import("./commands/demo.ts")).registerDemo,
  integrate: async () => (await import("./commands/integrate.ts")).registerIntegrate,
  status: async () => (await import("./commands/status.ts")).registerStatus,
  audit: async () => (await import("./commands/audit.ts")).registerAudit,
};
/** Commands registered by another command's file. */
const registeredBy: Record<string, string> = { retry: "status" };

/**
 * Builds the `profileflow` command tree: with the command `argv` names only that command (its own
 * options and help are complete without the others), else every command (the overview, `help`, and
 * the suggestion for a mistyped name need them all).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("profileflow")
    .description("Unified customer profiles in sync with Salesforce, ServiceNow, Marketo and Zendesk")
    .version("0.1.0");
  const arg = argv[2] ?? "";
  const named = Object.hasOwn(registeredBy, arg) ? registeredBy[arg]! : arg;
  const names = Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
  const registers = await Promise.all(names.map((name) => commands[name]!()));
  for (const register of registers) register(program);
  return program;
}

/** Entry point used by bin/profileflow.js. */
export async function main(argv: string[]): Promise<void> {
  await (await buildProgram(argv)).parseAsync(argv);
}
