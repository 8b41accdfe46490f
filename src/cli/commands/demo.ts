import { type Command, InvalidArgumentError } from "commander";
import { formatSummary } from "../../demo/demo-summary.ts";
import { runDemo } from "../../demo/run-demo.ts";
import { buildConsoleIfStale } from "../console-build.ts";
import { env } from "../env.ts";

interface DemoFlags {
  people: number;
  data: string;
  port: number;
  host?: string;
  seed?: number;
  speed: number;
  churn: number;
}

const number =
  (name: string, min: number, integer = true) =>
  (raw: string) => {
    // Decimal notation only: Number() would take "" and " " as 0 and "0x10" as 16.
    const n = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${name} must be ${integer ? "an integer" : "a number"} ≥ ${min}`);
    }
    return n;
  };

/** `profileflow demo`: four sandboxes, the server, and a user's setup through the AWS SDK, synced live. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "start the four vendor sandboxes with a generated population and profileflow, then integrate all four " +
        "through the AWS SDK (six months of history in bulk workflows, then a sync every minute); Ctrl-C stops, " +
        "running it again with the same --data resumes",
    )
    .option(
      "--people <n>",
      "persons in the generated population (default 10000)",
      number("people", 1),
      10_000,
    )
    .option(
      "-d, --data <dir>",
      "data directory: sandbox state, SQLite, credentials (default ./.profileflow-demo)",
      ".profileflow-demo",
    )
    .option(
      "-p, --port <port>",
      "API port; the sandboxes listen on the next four (default 4590; 0: any free)",
      number("port", 0),
      4590,
    )
    .option("--host <host>", "interface to bind (default 127.0.0.1)")
    .option("--seed <n>", "population seed (default 1)", number("seed", 0))
    .option(
      "--speed <factor>",
      "vendor clock speed: sandbox minutes per wall minute (default 60)",
      number("speed", 1, false),
      60,
    )
    .option(
      "--churn <n>",
      "per sandbox minute and object: n creates, 2n updates, n/2 deletes (default 1; 0 = none)",
      number("churn", 0),
      1,
    )
    .action(async (flags: DemoFlags) => {
      // The SDK's notice about its releases of 2027 needing Node 22 is noise in a first run's output.
      process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
      buildConsoleIfStale();
      const demo = await runDemo({
        people: flags.people,
        dataDir: flags.data,
        port: flags.port,
        speed: flags.speed,
        churn: flags.churn,
        env: env(),
        ...(flags.host ? { host: flags.host } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      });
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(
          "\nStopping: the running page commits, workers drain, the sandboxes' clock is saved…\n",
        );
        const last = await demo.stop();
        if (last) process.stdout.write(`\n${formatSummary(last)}`);
        process.stdout.write(
          `Stopped. \`profileflow demo --data ${flags.data}\` resumes where this left off.\n`,
        );
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });
}
