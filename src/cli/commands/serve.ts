import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { composeServer } from "../../main.ts";
import { connectionHelp } from "../connection-help.ts";
import { buildConsoleIfStale } from "../console-build.ts";
import { env } from "../env.ts";
import { noteIfFromSources } from "../from-sources.ts";

type Worker = { worker: boolean };

/** `profileflow serve`: the API (and, as the flows land, the scheduler and embedded workers). */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("start the AWS-compatible API (Customer Profiles + AppFlow) on one port")
    .option("-p, --port <port>", "port to listen on (default 4590; 0 picks a free one)")
    .option(
      "-d, --data <dir>",
      "data directory: SQLite file, master key, credentials (default ./.profileflow)",
    )
    .option("--host <host>", "interface to bind (default 127.0.0.1)")
    .option("-c, --config <file>", "JSON config file")
    .option("--no-worker", "API only: profileflow worker processes run the executions (PostgreSQL)")
    .action(async (opts: { port?: string; data?: string; host?: string; config?: string } & Worker) => {
      const config = loadConfig({
        env: env(),
        file: opts.config,
        flags: { port: opts.port, dataDir: opts.data, host: opts.host },
      });
      buildConsoleIfStale();
      const server = await composeServer(config);
      noteIfFromSources(server.logger);
      const address = await server.app.listen({ port: config.port, host: config.host });
      if (opts.worker) await server.startWorkers();
      const endpoint = address.replace("[::1]", "127.0.0.1");
      // Handlers first: whoever reads the output below may signal at once (before them, SIGINT kills).
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, "stopping");
        await server.close();
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop("SIGTERM"));
      process.once("SIGINT", () => void stop("SIGINT"));
      process.stdout.write(connectionHelp(endpoint, config, server.rootKey, server.rootKeyGenerated));
    });
}
