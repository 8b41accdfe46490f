import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppflowClient } from "@aws-sdk/client-appflow";
import { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { DialectName } from "../../src/db/dialect.ts";
import { composeServer, type Server } from "../../src/main.ts";
import { createPostgresDatabase } from "../helpers/test-database.ts";

/** A sandbox's shared clock: the server, its engine's sleeps and the SDK's signatures all follow it. */
export interface SharedClock {
  now(): number;
  advance(ms: number): unknown;
}

/** profileflow on the sandbox's clock with the executor run by hand, and SDK clients signing at that clock. */
export interface SdkStack {
  server: Server;
  endpoint: string;
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  /** Sends through a client with its clock offset set to the shared clock's time. */
  send<T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts profileflow for the six-month workflow tests: a fresh data directory (and a fresh PostgreSQL
 * database for that dialect), the shared clock for the server and the engine's timer (the client's
 * backoff sleeps move the clock: retries cost no wall time), no heartbeat loop, and what
 * `startWorkers` does without its background loop, so the test runs the executor itself.
 */
export async function startSdkStack(
  dialect: DialectName,
  clock: SharedClock,
  credentials: { accessKeyId: string; secretAccessKey: string },
  dataPrefix: string,
): Promise<SdkStack> {
  const now = () => clock.now();
  const dataDir = mkdtempSync(join(tmpdir(), dataPrefix));
  const pg = dialect === "postgres" ? await createPostgresDatabase() : undefined;
  const config = loadConfig({
    flags: { port: 0, dataDir, databaseUrl: pg?.url, logLevel: "silent", ...credentials },
  });
  const server = await composeServer(config, {
    clock: { now },
    logger: createLogger("silent"),
    engine: {
      timer: { now, sleep: async (ms) => void clock.advance(ms) },
      heartbeatIntervalMs: 3_600_000,
    },
  });
  await server.flows.engine.init();
  await server.workflows.init();
  const endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const cfg = { endpoint, region: config.region, credentials, maxAttempts: 1 };
  const profiles = new CustomerProfilesClient(cfg);
  const appflow = new AppflowClient(cfg);
  return {
    server,
    endpoint,
    profiles,
    appflow,
    send: async <T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T> => {
      client.config.systemClockOffset = now() - Date.now(); // sign at the shared clock's time
      // The SDK's send is typed per command union; these tests pass commands of either client.
      return (client as unknown as { send(c: unknown): Promise<T> }).send(command);
    },
    close: async () => {
      profiles.destroy();
      appflow.destroy();
      await server.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
