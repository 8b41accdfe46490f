import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { composeServer, type Server } from "../../src/main.ts";
import { freshPostgres } from "./fresh-postgres.ts";
import { sqliteSettingsEnv } from "./sqlite-settings-env.ts";

export type BenchDialect = "sqlite" | "postgres";

/** The dialects a benchmark runs, in order: both, or only the one `--only` names. */
export function benchDialects(only: string | undefined): BenchDialect[] {
  return (["sqlite", "postgres"] as const).filter((d) => !only || only === d);
}

/** A server composed for one benchmark run, listening on a free local port. */
export interface BenchServer {
  server: Server;
  /** A new SDK client of the server; every one is destroyed when the run ends. */
  newClient(): CustomerProfilesClient;
  /** The server's URL and the root's credentials, for requests the SDK has no command for. */
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Runs `body` against a fresh server on `dialect` (PostgreSQL: a fresh database `${prefix}_${pid}`; SQLite:
 * a fresh data directory), then closes the clients and the server and drops what it made. Does nothing when
 * PostgreSQL is unreachable (freshPostgres says so).
 */
export async function withBenchServer(
  dialect: BenchDialect,
  prefix: string,
  body: (bench: BenchServer) => Promise<void>,
  options: { workers?: boolean } = {},
): Promise<void> {
  const pgdb = dialect === "postgres" ? await freshPostgres(prefix) : undefined;
  if (dialect === "postgres" && !pgdb) return;
  const dataDir = mkdtempSync(join(tmpdir(), "pf-bench-"));
  const credentials = { accessKeyId: "AKIDPROFILEFLOWBENCH", secretAccessKey: "bench-secret" };
  const config = loadConfig({
    flags: { port: 0, dataDir, databaseUrl: pgdb?.url, logLevel: "silent", ...credentials },
    env: sqliteSettingsEnv(),
  });
  const server = await composeServer(config, { logger: createLogger("silent") });
  if (options.workers) await server.startWorkers();
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const clients: CustomerProfilesClient[] = [];
  const newClient = () => {
    const client = new CustomerProfilesClient({
      endpoint,
      region: config.region,
      credentials,
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  try {
    await body({ server, newClient, endpoint, credentials });
  } finally {
    for (const client of clients) client.destroy();
    await server.close();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The p-th percentile of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The machine's load averages, for the printed line (figures on a shared machine depend on them). */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
}
