import {
  type AppflowClient,
  CreateConnectorProfileCommand,
  type CreateConnectorProfileCommandInput,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  type CustomerProfilesClient,
  GetDomainCommand,
  GetWorkflowCommand,
  GetWorkflowStepsCommand,
} from "@aws-sdk/client-customer-profiles";
import { expect } from "vitest";
import type { DialectName } from "../../src/db/dialect.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { ensureWorkflowRole } from "../helpers/workflow-role.ts";

/** A sandbox's shared clock: the server, its engine's sleeps and the SDK's signatures all follow it. */
export interface SharedClock {
  now(): number;
  advance(ms: number): unknown;
}

/** A test server on the sandbox's clock with the executor run by hand, and a `send` signing at that clock. */
export interface SdkStack extends TestServer {
  /** Sends through a client with its clock offset set to the shared clock's time. */
  send<T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T>;
  /** The domain's KMS key ARN (GetDomain's DefaultEncryptionKey): its flows' KmsArn. */
  domainKey(domain: string): Promise<string>;
  /**
   * The role the domain's workflows act as (`CustomerProfilesWorkflow-<domain>`, created once through
   * IAM with the seed's least-privilege policy for the domain's key); its ARN.
   */
  workflowRole(domain: string): Promise<string>;
  /** GetWorkflow's answer. */
  workflow(domain: string, id: string): Promise<any>;
  /** The AppflowIntegration member of each of the workflow's steps. */
  steps(domain: string, id: string): Promise<any[]>;
  /**
   * Runs the executor, calls `each`, then moves the shared clock a minute (the engine's retry backoff, the
   * workflow's and the lag's waits), until the workflow is `status` or `rounds` rounds have passed; returns
   * the workflow.
   */
  driveWorkflow(
    domain: string,
    id: string,
    status: string,
    o?: { rounds?: number; each?: () => Promise<void> },
  ): Promise<any>;
  /** The stored objects (key, profile) of a domain's object type. */
  storedObjects(domain: string, objectType: string): Promise<{ object_key: string; profile_id: string }[]>;
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
  const send = async <T>(client: CustomerProfilesClient | AppflowClient, command: unknown): Promise<T> => {
    client.config.systemClockOffset = now() - Date.now(); // sign at the shared clock's time
    // The SDK's send is typed per command union; these tests pass commands of either client.
    return (client as unknown as { send(c: unknown): Promise<T> }).send(command);
  };
  const workflow = (domain: string, id: string) =>
    send<any>(t.profiles, new GetWorkflowCommand({ DomainName: domain, WorkflowId: id }));
  const domainKey = async (domain: string) =>
    (await send<{ DefaultEncryptionKey: string }>(t.profiles, new GetDomainCommand({ DomainName: domain })))
      .DefaultEncryptionKey;
  const roles = new Map<string, Promise<string>>();
  return {
    ...t,
    send,
    workflow,
    domainKey,
    workflowRole: (domain) => {
      let arn = roles.get(domain);
      if (!arn) {
        arn = domainKey(domain).then((keyArn) => ensureWorkflowRole({ ...t, now }, { domain, keyArn }));
        roles.set(domain, arn);
      }
      return arn;
    },
    steps: async (domain, id) =>
      (
        await send<any>(t.profiles, new GetWorkflowStepsCommand({ DomainName: domain, WorkflowId: id }))
      ).Items.map((s: any) => s.AppflowIntegration),
    driveWorkflow: async (domain, id, status, o = {}) => {
      for (
        let round = 0;
        round < (o.rounds ?? 80) && (await workflow(domain, id)).Status !== status;
        round++
      ) {
        await t.server.flows.executor.runOnce();
        await o.each?.();
        clock.advance(60_000);
      }
      return workflow(domain, id);
    },
    storedObjects: (domain, objectType) =>
      t.server.database.db
        .selectFrom("profile_objects")
        .select(["object_key", "profile_id"])
        .where("domain_name", "=", domain)
        .where("object_type_name", "=", objectType)
        .execute(),
  };
}

/**
 * The workflow ingested exactly the ground truth (`id@ms` entries): its metric counts the history's records,
 * and the domain holds one object, with a profile, per record of the history and of what changed after it
 * (the hand-off's reads), each once.
 */
export async function expectIngestedExactly(
  stack: SdkStack,
  at: { domain: string; objectType: string; workflow: any },
  truth: { history: readonly string[]; later: readonly string[] },
): Promise<void> {
  const ids = (xs: readonly string[]) => xs.map((e) => e.split("@")[0]!);
  expect(at.workflow.Metrics.AppflowIntegration.RecordsProcessed).toBe(truth.history.length);
  const objects = await stack.storedObjects(at.domain, at.objectType);
  const keys = objects.map((o) => o.object_key);
  expect(new Set(keys)).toEqual(new Set([...ids(truth.history), ...ids(truth.later)]));
  expect(keys).toHaveLength(new Set(keys).size);
  expect(objects.every((o) => o.profile_id)).toBe(true);
}

/** `startSdkStack` with the workflow tests' setup done: a connector profile and, when named, a domain. */
export async function startWorkflowStack(
  dialect: DialectName,
  clock: SharedClock,
  connectorProfile: CreateConnectorProfileCommandInput,
  domain?: string,
): Promise<SdkStack> {
  const stack = await startSdkStack(dialect, clock);
  if (domain !== undefined) {
    await stack.send(
      stack.profiles,
      new CreateDomainCommand({ DomainName: domain, DefaultExpirationDays: 365 }),
    );
  }
  await stack.send(stack.appflow, new CreateConnectorProfileCommand(connectorProfile));
  return stack;
}
