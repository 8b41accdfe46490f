import type { Kysely } from "kysely";
import type pg from "pg";
import { connectorProfileOperations } from "../api/appflow/connector-profiles.ts";
import { connectorOperations } from "../api/appflow/connectors.ts";
import type { FlowRunner } from "../api/appflow/flow-runner.ts";
import { flowOperations } from "../api/appflow/flows.ts";
import { integrationOperations } from "../api/customer-profiles/integrations.ts";
import { Idempotency } from "../api/idempotency.ts";
import type { ServiceDefinition } from "../api/operation.ts";
import { secretsOperations } from "../api/secretsmanager/secrets-operations.ts";
import type { TagStore } from "../api/tags/tag-store.ts";
import type { Config } from "../config/config.ts";
import { systemTimer } from "../connectors/sdk/index.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { SecretBox } from "../core/secret-box.ts";
import type { Database } from "../db/schema.ts";
import { ConnectorProfileStore } from "../flows/connector-profile-store.ts";
import { EmbeddedExecutor } from "../flows/embedded/embedded-executor.ts";
import type { Executor } from "../flows/executor.ts";
import { FlowEngine, type FlowEngineOptions } from "../flows/flow-engine.ts";
import { FlowStore } from "../flows/flow-store.ts";
import { InstanceLimits } from "../flows/instance-limits/instance-limits.ts";
import { IntegrationStore } from "../flows/integration-store.ts";
import { PostgresExecutor } from "../flows/postgres/postgres-executor.ts";
import type { RecordSink } from "../flows/record-sink.ts";
import type { DomainStore } from "../profiles/domain-store.ts";
import type { ObjectTypeSource } from "../profiles/object-type-store.ts";
import { SecretStore } from "../security/secret-store.ts";
import { connectionTester } from "./connection-tester.ts";
import { connectorCatalog, connectorFor } from "./connector-catalog.ts";
import { credentialsResolver } from "./connector-credentials.ts";
import { engineRunner } from "./flow-runner.ts";
import { vendorPolicyOf } from "./vendor-policy.ts";

export interface FlowServices {
  flows: FlowStore;
  connectorProfiles: ConnectorProfileStore;
  integrations: IntegrationStore;
  secrets: SecretStore;
  executor: Executor;
  engine: FlowEngine;
  runner: FlowRunner;
  idempotency: Idempotency;
  services: ServiceDefinition[];
}

export interface FlowServicesDeps {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  box: SecretBox;
  /** Key of the clientToken request fingerprints (derived from the master key). */
  idempotencyKey: Buffer;
  tags: TagStore;
  logger: Logger;
  domains: DomainStore;
  objectTypes: ObjectTypeSource;
  sink: RecordSink;
  /** Engine tuning (tests shorten leases and retries). */
  engine?: Partial<
    Pick<
      FlowEngineOptions,
      "leaseTtlMs" | "heartbeatIntervalMs" | "retryBaseMs" | "maxTransientAttempts" | "timer" | "onFinished"
    >
  >;
  executor?: { pollIntervalMs?: number; concurrency?: number };
  /** The PostgreSQL pool under `db`: present → the graphile-worker executor (many worker processes). */
  pool?: pg.Pool | undefined;
}

/** Wires connections, secrets, flows, integrations and the execution engine, and their API operations. */
export function composeFlowServices(d: FlowServicesDeps): FlowServices {
  const { config, db, clock } = d;
  const appflowArn = `arn:aws:appflow:${config.region}:${config.accountId}:`;
  const flows = new FlowStore(db, clock, `${appflowArn}flow/`);
  const connectorProfiles = new ConnectorProfileStore(db, d.box, clock, `${appflowArn}connectorprofile/`);
  const integrations = new IntegrationStore(db, clock);
  const secrets = new SecretStore(
    db,
    d.box,
    clock,
    `arn:aws:secretsmanager:${config.region}:${config.accountId}:secret:`,
  );
  const idempotency = new Idempotency(db, clock, {
    key: d.idempotencyKey,
    ttlMs: config.idempotencyTtlSeconds * 1000,
  });
  // One vendor policy (allowed hosts, answer caps) for every connector the server opens.
  const policy = vendorPolicyOf(config, d.logger);
  const executor = d.pool
    ? new PostgresExecutor({ db, pool: d.pool, clock, logger: d.logger, ...(d.executor ?? {}) })
    : new EmbeddedExecutor({ db, clock, logger: d.logger, ...(d.executor ?? {}) });
  const engine = new FlowEngine({
    db,
    clock,
    executor,
    sink: d.sink,
    flows,
    connectors: connectorCatalog(),
    credentials: credentialsResolver(connectorProfiles, secrets, policy),
    logger: d.logger,
    // One attempt per execution: the HTTP client already retries each request with backoff, and a
    // workflow step's retries (the seed's "up to three times", visible as RETRY) happen one level up.
    // A scheduled flow's next run is its retry; flowErrorDeactivationThreshold counts the failures.
    maxTransientAttempts: 1,
    instanceLimits: new InstanceLimits({ db, clock, timer: d.engine?.timer ?? systemTimer }),
    ...(d.engine ?? {}),
  });
  const runner = engineRunner(engine);
  const credentials = credentialsResolver(connectorProfiles, secrets, policy);
  const domainExists = async (name: string) => (await d.domains.get(name)) !== undefined;
  const services: ServiceDefinition[] = [
    connectorProfileOperations({
      profiles: connectorProfiles,
      flows,
      idempotency,
      test: connectionTester(secrets, policy),
      vendorHosts: policy.hosts,
    }),
    flowOperations({
      flows,
      connectorProfiles,
      runner,
      tags: d.tags,
      idempotency,
      domainExists,
      principalArn: `arn:aws:iam::${config.accountId}:root`,
    }),
    integrationOperations({
      domains: d.domains,
      objectTypes: d.objectTypes,
      integrations,
      flows,
      connectorProfiles,
      runner,
      tags: d.tags,
    }),
    secretsOperations(secrets, d.tags),
    connectorOperations({
      connectorFor,
      profiles: connectorProfiles,
      resolve: (name) => credentials.resolve(name),
    }),
  ];
  return { flows, connectorProfiles, integrations, secrets, executor, engine, runner, idempotency, services };
}
