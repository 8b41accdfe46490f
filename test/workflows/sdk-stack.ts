import type { AppflowClient } from "@aws-sdk/client-appflow";
import type { CustomerProfilesClient } from "@aws-sdk/client-customer-profiles";
import type { DialectName } from "../../src/db/dialect.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/** A sandbox's shared clock: the server, its engine's sleeps and the SDK's signatures all follow it. */
export interface SharedClock {
  now(): number;
  advance(ms: number): unknown;
}

/** A test server on the sandbox's clock with the executor run by hand, and a `send` signing at that clock. */
export interface SdkStack extends TestServer {
  /** Sends through a client with its clock offset set to the shared clock's time. */
  send<T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T>;
}

/**
 * `startTestServer` for the six-month workflow tests: the shared clock for the server and the engine's
 * timer (the client's backoff sleeps move the clock: retries cost no wall time), no heartbeat loop, and
 * what `startWorkers` does without its background loop, so the test runs the executor itself.
 */
export async function startSdkStack(dialect: DialectName, clock: SharedClock): Promise<SdkStack> {
  const now = () => clock.now();
  const t = await startTestServer(dialect, {
    clock: { now },
    engine: {
      timer: { now, sleep: async (ms) => void clock.advance(ms) },
      heartbeatIntervalMs: 3_600_000,
    },
  });
  await t.server.flows.engine.init();
  await t.server.workflows.init();
  return {
    ...t,
    send: async <T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T> => {
      client.config.systemClockOffset = now() - Date.now(); // sign at the shared clock's time
      // The SDK's send is typed per command union; these tests pass commands of either client.
      return (client as unknown as { send(c: unknown): Promise<T> }).send(command);
    },
  };
}
