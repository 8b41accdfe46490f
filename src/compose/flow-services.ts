import type { Kysely } from "kysely";
import type pg from "pg";
import { connectorProfileOperations } from "../api/appflow/connector-profiles.ts";
import { connectorOperations } from "../api/appflow/connectors.ts";
import { flowOperations } from "../api/appflow/flows.ts";
import { Idempotency } from "../api/idempotency.ts";
import type { ServiceDefinition } from "../api/operation.ts";
import { secretsOperations } from "../api/secretsmanager/secrets-operations.ts";
import type { Config } from "../config/config.ts";
import { systemTimer } from "../connectors/sdk/index.ts";
import { accountRootArn, appflowArnPrefix, secretArnPrefix } from "../core/arns.ts";
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
import type { KeyedSealer } from "../flows/keyed-sealer.ts";
import { PostgresExecutor } from "../flows/postgres/postgres-executor.ts";
import type { RecordSink } from "../flows/record-sink.ts";
import type { ObjectTypeSource } from "../profiles/object-type-store.ts";
import { SecretStore } from "../security/secret-store.ts";
import { ConnectorProfileService } from "../services/connector-profile-service.ts";
import type { DomainService } from "../services/domain-service.ts";
import { FlowService } from "../services/flow-service.ts";
import { SecretService } from "../services/secret-service.ts";
import type { TagService } from "../services/tag-service.ts";
import { connectionTester } from "./connection-tester.ts";
import { connectorCatalog, connectorFor } from "./connector-catalog.ts";
import { credentialsResolver } from "./connector-credentials.ts";
import { domainExistsUnderLock } from "./domain-exists-under-lock.ts";
import { vendorPolicyOf } from "./vendor-policy.ts";

export interface FlowServices {
  flows: FlowStore;
  flowService: FlowService;
  connectorProfiles: ConnectorProfileStore;
  connectorProfileService: ConnectorProfileService;
  integrations: IntegrationStore;
  secrets: SecretService;
  executor: Executor;
  engine: FlowEngine;
  idempotency: Idempotency;
  services: ServiceDefinition[];
}

export interface FlowServicesDeps {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  box: SecretBox;
  /** Seals connector credentials under a profile's kmsArn (KMS). */
  keyed?: KeyedSealer;
  /** Key of the clientToken request fingerprints (derived from the master key). */
  idempotencyKey: Buffer;
  tags: TagService;
  logger: Logger;
  domains: DomainService;
  objectTypes: ObjectTypeSource;
  sink: RecordSink;
  /** Engine tuning (tests shorten leases and retries). */
  engine?: Partial<
    Pick<
      FlowEngineOptions,
      | "leaseTtlMs"
      | "heartbeatIntervalMs"
      | "retryBaseMs"
      | "maxTransientAttempts"
      | "timer"
      | "onFinished"
      | "readAhead"
      | "commitBudget"
      | "requestsWaiting"
    >
  >;
  executor?: { pollIntervalMs?: number; concurrency?: number };
  /** The PostgreSQL pool under `db`: present → the graphile-worker executor (many worker processes). */
  pool?: pg.Pool | undefined;
}

/** Wires connections, secrets, flows, integrations and the execution engine, and their API operations. */
export function composeFlowServices(d: FlowServicesDeps): FlowServices {
  const { config, db, clock } = d;
  const flows = new FlowStore(clock, appflowArnPrefix(config, "flow"));
  const connectorProfiles = new ConnectorProfileStore(
    d.box,
    clock,
    appflowArnPrefix(config, "connectorprofile"),
    d.keyed,
  );
  const integrations = new IntegrationStore(clock);
  const secretStore = new SecretStore(d.box, clock, secretArnPrefix(config));
  const secrets = new SecretService({ db, secrets: secretStore, tags: d.tags });
  const idempotency = new Idempotency(clock, {
    key: d.idempotencyKey,
    ttlMs: config.idempotencyTtlSeconds * 1000,
  });
  // One vendor policy (allowed hosts, answer caps) for every connector the server opens.
  const policy = vendorPolicyOf(config, d.logger);
  const executor = d.pool
    ? new PostgresExecutor({ db, pool: d.pool, clock, logger: d.logger, ...(d.executor ?? {}) })
    : new EmbeddedExecutor({ db, clock, logger: d.logger, ...(d.executor ?? {}) });
  const credentials = credentialsResolver(db, connectorProfiles, secrets, policy);
  const engine = new FlowEngine({
    db,
    clock,
    executor,
    sink: d.sink,
    flows: flows.catalog(db),
    connectors: connectorCatalog(),
    credentials,
    logger: d.logger,
    // One attempt per execution: the HTTP client already retries each request with backoff, and a
    // workflow step's retries (the seed's "up to three times", visible as RETRY) happen one level up.
    // A scheduled flow's next run is its retry; flowErrorDeactivationThreshold counts the failures.
    maxTransientAttempts: 1,
    instanceLimits: new InstanceLimits({ db, clock, timer: d.engine?.timer ?? systemTimer }),
    ...(d.engine ?? {}),
  });
  const flowService = new FlowService({
    db,
    flows,
    connectorProfiles,
    runner: engine,
    tags: d.tags,
    idempotency,
    // Under the domain's lock, in the operation's transaction: serialized with DeleteDomain.
    domainExists: domainExistsUnderLock(d.domains),
    domainKey: async (q, name) => (await d.domains.requireIn(q, name)).defaultEncryptionKey,
  });
  const connectorProfileService = new ConnectorProfileService({
    db,
    profiles: connectorProfiles,
    flows,
    test: connectionTester(secrets, policy),
    idempotency,
    vendorHosts: policy.hosts,
  });
  const services: ServiceDefinition[] = [
    connectorProfileOperations({ profiles: connectorProfileService }),
    flowOperations({
      flows: flowService,
      principalArn: accountRootArn(config.accountId),
    }),
    secretsOperations(secrets),
    connectorOperations({
      connectorFor,
      profiles: connectorProfileService,
      resolve: (name) => credentials.resolve(name),
    }),
  ];
  return {
    flows,
    flowService,
    connectorProfiles,
    connectorProfileService,
    integrations,
    secrets,
    executor,
    engine,
    idempotency,
    services,
  };
}
