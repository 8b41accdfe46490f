import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppflowClient } from "@aws-sdk/client-appflow";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { type ConfigInput, loadConfig } from "../../src/config/config.ts";
import type { Clock } from "../../src/core/clock.ts";
import { createLogger, type Logger } from "../../src/core/logger.ts";
import type { DialectName } from "../../src/db/dialect.ts";
import { type ComposeOptions, composeServer, type Server } from "../../src/main.ts";
import { createPostgresDatabase } from "./test-database.ts";

export interface TestServer {
  server: Server;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  close(): Promise<void>;
}

/** A real profileflow listening on a free port, on a fresh SQLite or PostgreSQL database, with SDK clients. */
export async function startTestServer(
  dialect: DialectName = "sqlite",
  options: {
    clock?: Clock;
    logger?: Logger;
    workers?: boolean;
    engine?: ComposeOptions["engine"];
    /** More settings, as flags (e.g. vendorHosts). */
    config?: Partial<ConfigInput>;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-server-"));
  const pg = dialect === "postgres" ? await createPostgresDatabase() : undefined;
  const credentials = { accessKeyId: "AKIDPROFILEFLOWTEST", secretAccessKey: "test-secret-key" };
  const config = loadConfig({
    flags: {
      port: 0,
      dataDir,
      databaseUrl: pg?.url,
      logLevel: "silent",
      ...credentials,
      ...options.config,
    },
  });
  const server = await composeServer(config, {
    logger: options.logger ?? createLogger("silent"),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    executor: { pollIntervalMs: 50 },
  });
  if (options.workers) await server.startWorkers();
  const address = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const endpoint = address;
  const clientConfig = { endpoint, region: config.region, credentials, maxAttempts: 1 };
  const profiles = new CustomerProfilesClient(clientConfig);
  const appflow = new AppflowClient(clientConfig);
  return {
    server,
    endpoint,
    credentials,
    profiles,
    appflow,
    close: async () => {
      profiles.destroy();
      appflow.destroy();
      await server.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
