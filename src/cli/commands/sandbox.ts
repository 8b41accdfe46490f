import { type Command, InvalidArgumentError } from "commander";
import { createLogger } from "../../core/logger.ts";
import type { KnobsPatch } from "../../sandbox/core/knobs.ts";
import { type Sandboxes, startSandboxes } from "../../sandbox/start-sandboxes.ts";

/** Options of `profileflow sandbox` after parsing. */
interface SandboxFlags {
  seed?: number;
  people?: number;
  json?: boolean;
  data?: string;
  port?: number;
  host?: string;
  knobs?: KnobsPatch;
  speed?: number;
}

const integer =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };

const knobsJson = (raw: string): KnobsPatch => {
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as KnobsPatch;
  } catch {
    throw new InvalidArgumentError("knobs must be a JSON object, e.g. '{\"latencyMs\":50}'");
  }
};

const speedFactor = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("speed must be a number >= 0");
  return n;
};

/** The readable form of the credentials: one block per vendor, members aligned. */
export function credentialsTable(credentials: Record<string, Record<string, string>>): string {
  const lines: string[] = [];
  for (const [vendor, members] of Object.entries(credentials)) {
    lines.push(vendor);
    const width = Math.max(...Object.keys(members).map((k) => k.length));
    for (const [k, v] of Object.entries(members)) lines.push(`  ${k.padEnd(width)}  ${v}`);
    const url = members["instanceUrl"];
    if (url) lines.push(`  ${"admin".padEnd(width)}  ${url}/__sandbox/`);
    lines.push("");
  }
  return lines.join("\n");
}

/** `profileflow sandbox`: starts the four vendor simulators on one shared world and prints how to reach them. */
export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description(
      "start local simulators of Salesforce, ServiceNow, Marketo and Zendesk with a seeded population; " +
        "prints their URLs and credentials once all listen, then serves until SIGINT/SIGTERM",
    )
    .option("--seed <n>", "population seed (default 1)", integer("seed", 0, 0xffffffff))
    .option("--people <n>", "persons in the population (default 1000)", integer("people", 1))
    .option("--json", "print exactly one JSON object on stdout instead of a table")
    .option("--data <dir>", "persist clock, knobs and writes here; a restart resumes them")
    .option(
      "--port <base>",
      "vendor i listens on base+i (default: any free ports)",
      integer("port", 0, 65_532),
    )
    .option("--host <host>", "interface to bind (default 127.0.0.1)")
    .option(
      "--knobs <json>",
      "initial knobs as JSON (all off by default), e.g. '{\"latencyMs\":50}'",
      knobsJson,
    )
    .option("--speed <factor>", "sandbox clock speed (default 1 = wall speed)", speedFactor)
    .action(async (flags: SandboxFlags) => {
      const log = createLogger("info");
      let sandboxes: Sandboxes;
      try {
        sandboxes = await startSandboxes({
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.people !== undefined ? { people: flags.people } : {}),
          ...(flags.data ? { dataDir: flags.data } : {}),
          ...(flags.port !== undefined ? { port: flags.port } : {}),
          ...(flags.host ? { host: flags.host } : {}),
          ...(flags.knobs ? { knobs: flags.knobs } : {}),
          ...(flags.speed !== undefined ? { clock: { speed: flags.speed } } : {}),
        });
      } catch (e) {
        log.error({ err: e }, "sandbox failed to start");
        process.exitCode = 1;
        return;
      }
      for (const [vendor, s] of Object.entries(sandboxes.servers))
        log.info({ vendor, url: s.url }, "listening");
      // Handlers first: whoever reads the output below may signal at once (before them, SIGINT kills).
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, "stopping");
        await sandboxes.close();
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop("SIGTERM"));
      process.once("SIGINT", () => void stop("SIGINT"));
      process.stdout.write(
        flags.json ? `${JSON.stringify(sandboxes.credentials)}\n` : credentialsTable(sandboxes.credentials),
      );
    });
}
