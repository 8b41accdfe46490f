import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../config/config.ts";
import { composeServer } from "../../main.ts";
import { env } from "../env.ts";
import { noteIfFromSources } from "../from-sources.ts";

/** Why a worker cannot start with this config, or undefined when it can. */
export function workerConfigProblem(config: {
  databaseUrl?: string | undefined;
  masterKey?: string | undefined;
  dataDir: string;
}): string | undefined {
  if (!config.databaseUrl) {
    return "profileflow worker needs PostgreSQL: set DATABASE_URL=postgres://user:pass@host:5432/db (the database profileflow serve uses). On SQLite, profileflow serve runs executions itself.";
  }
  // A worker that made up its own master key could not open the connector secrets the API stored.
  if (!config.masterKey && !existsSync(join(config.dataDir, "master.key"))) {
    return `profileflow worker needs the master key every process shares: set PROFILEFLOW_MASTER_KEY (base64, 32 bytes) or copy master.key into ${config.dataDir}.`;
  }
  return undefined;
}

/** `profileflow worker [--concurrency N]`: runs executions and schedules from PostgreSQL, no HTTP. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run flow executions and schedules from PostgreSQL (no HTTP); start as many as you need")
    .option("--concurrency <n>", "executions this process runs at once (default 4)")
    .option("-d, --data <dir>", "data directory holding master.key (default ./.profileflow)")
    .option("-c, --config <file>", "JSON config file")
    .action(async (opts: { concurrency?: string; data?: string; config?: string }) => {
      const config = loadConfig({ env: env(), file: opts.config, flags: { dataDir: opts.data } });
      const problem = workerConfigProblem(config);
      if (problem) {
        process.stderr.write(`${problem}\n`);
        process.exitCode = 2;
        return;
      }
      const concurrency = opts.concurrency === undefined ? 4 : Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        process.stderr.write(`--concurrency must be a whole number ≥ 1, not ${opts.concurrency}\n`);
        process.exitCode = 2;
        return;
      }
      const server = await composeServer(config, { executor: { concurrency } });
      noteIfFromSources(server.logger);
      await server.startWorkers();
      server.logger.info(
        { workerId: server.flows.executor.workerId, concurrency, pid: process.pid },
        "worker started",
      );
      // Handlers first: whoever reads the output below may signal at once (before them, SIGINT kills).
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        // Drain: running executions commit their current page, give their leases back and stop.
        server.logger.info({ signal }, "worker draining");
        await server.close();
        process.stdout.write("profileflow worker drained\n");
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop("SIGTERM"));
      process.once("SIGINT", () => void stop("SIGINT"));
      process.stdout.write(
        `profileflow worker ${server.flows.executor.workerId} running ${concurrency} at a time\n`,
      );
    });
}
