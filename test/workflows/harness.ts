import { sql } from "kysely";
import type { ConnectorSpec, ObjectSpec } from "../../src/connectors/sdk/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { WorkflowRoleActor } from "../../src/core/workflow-role.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { ConnectorProfileStore } from "../../src/flows/connector-profile-store.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import type { FlowDefinition } from "../../src/flows/flow-definition.ts";
import { FlowEngine } from "../../src/flows/flow-engine.ts";
import { FlowStore } from "../../src/flows/flow-store.ts";
import { IntegrationStore } from "../../src/flows/integration-store.ts";
import { trackStepRecords } from "../../src/flows/workflows/step-record-sink.ts";
import { WorkflowRunner } from "../../src/flows/workflows/workflow-runner.ts";
import { WorkflowStore } from "../../src/flows/workflows/workflow-store.ts";
import { FlowService } from "../../src/services/flow-service.ts";
import { IntegrationService } from "../../src/services/integration-service.ts";
import { TagService } from "../../src/services/tag-service.ts";
import { WorkflowService, type WorkflowServiceDeps } from "../../src/services/workflow-service.ts";
import type { FakeSource } from "../flows/fake-source.ts";
import { tableSink } from "../flows/harness.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { allowAllRole } from "./allow-all-role.ts";

export const T0 = Date.UTC(2025, 0, 1);
export const ARN_PREFIX = "arn:aws:appflow:us-east-1:123456789012:flow/";
export const CONNECTOR_PROFILE_ARN_PREFIX = "arn:aws:appflow:us-east-1:123456789012:connectorprofile/";
/** A SecretBox that seals nothing (test connector profiles hold no secrets). */
export const identityBox = { seal: (x: string) => x, open: (x: string) => x };

/** The fake source's spec, optionally with a largest window per read (Marketo's 31 days). */
export function specOf(source: FakeSource, maxWindowMs?: number): ConnectorSpec {
  const base = source.spec();
  if (maxWindowMs === undefined) return base;
  const obj = (base.objects as Record<string, ObjectSpec>)["sys_user"]!;
  return { ...base, objects: { sys_user: { ...obj, maxWindowMs } } };
}

/** One process: an executor, the flows engine on FlowStore, the workflow runner, all on one database. */
export function makeWorld(
  db: TestDatabase,
  clock: ManualClock,
  spec: ConnectorSpec,
  id: string,
  /** The role the runner acts as (every action allowed when not given). */
  role: WorkflowRoleActor<Queryable> = allowAllRole.roleActor,
) {
  const executor = new EmbeddedExecutor({
    db: db.db,
    clock,
    workerId: id,
    pollIntervalMs: 5,
    heartbeatIntervalMs: 3_600_000,
  });
  const flows = new FlowStore(clock, ARN_PREFIX);
  const integrations = new IntegrationStore(clock);
  const store = new WorkflowStore(clock);
  const holder: { runner?: WorkflowRunner } = {};
  const engine = new FlowEngine({
    db: db.db,
    clock,
    executor,
    sink: trackStepRecords(tableSink, store),
    flows: flows.catalog(db.db),
    connectors: { Servicenow: spec },
    credentials: {
      resolve: async () => ({ instanceUrl: "fake://", credentials: { kind: "bearer", accessToken: "good" } }),
    },
    heartbeatIntervalMs: 3_600_000,
    retryBaseMs: 10_000,
    // One transient failure ends an execution, so each injected fault is one step attempt.
    maxTransientAttempts: 1,
    onFinished: (e) => holder.runner?.onExecutionFinished(e),
  });
  const runner = new WorkflowRunner({
    db: db.db,
    clock,
    executor,
    engine,
    flows,
    integrations,
    connectors: { Servicenow: spec },
    retryBaseMs: 10_000,
    role,
  });
  holder.runner = runner;
  const flowService = new FlowService({
    db: db.db,
    flows,
    connectorProfiles: new ConnectorProfileStore(identityBox, clock, CONNECTOR_PROFILE_ARN_PREFIX),
    runner: engine,
    tags: new TagService(db.db),
    domainExists: async () => true,
  });
  // Domains and object types are not checked here; tests through the API give real ones.
  const domains = { requireIn: async () => undefined, lockIn: async () => undefined };
  const objectTypes = { getIn: async () => ({}) as never };
  const workflowDeps: WorkflowServiceDeps = {
    db: db.db,
    clock,
    domains,
    objectTypes,
    flows: flowService,
    flowStore: flows,
    integrations,
    integrationDeletion: {
      deleteIn: (tx, integration): Promise<void> => integrationService.deleteIn(tx, integration),
    },
    runner,
    executions: engine.executions,
    ...allowAllRole,
  };
  const workflows = new WorkflowService(workflowDeps);
  // DeleteIntegration's one path, for the steps' hidden integrations.
  const integrationService = new IntegrationService({
    db: db.db,
    integrations,
    flows: flowService,
    flowStore: flows,
    tags: new TagService(db.db),
    workflows,
    domains,
    objectTypes,
  });
  return {
    executor,
    engine,
    flows,
    integrations,
    runner,
    store: runner.store,
    flowService,
    workflows,
    workflowDeps,
  };
}

export type World = ReturnType<typeof makeWorld>;

/** A Scheduled Incremental definition reading the fake source's sys_user into domain d / User. */
export function definition(flowName: string): FlowDefinition {
  return {
    flowName,
    triggerConfig: {
      triggerType: "Scheduled",
      triggerProperties: { Scheduled: { scheduleExpression: "rate(1hours)", dataPullMode: "Incremental" } },
    },
    sourceFlowConfig: {
      connectorType: "Servicenow",
      connectorProfileName: "fake-conn",
      sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
    },
    destinationFlowConfigList: [
      {
        connectorType: "CustomerProfiles",
        destinationConnectorProperties: { CustomerProfiles: { domainName: "d", objectTypeName: "User" } },
      },
    ],
    tasks: [{ taskType: "Map_all", sourceFields: [], connectorOperator: { ServiceNow: "NO_OP" } }],
  };
}

/** Runs due jobs, moving the clock `stepMs` between rounds, until `done` or `rounds` run out. */
export async function drive(
  w: World,
  clock: ManualClock,
  done: () => Promise<boolean>,
  stepMs = 60_000,
  rounds = 30,
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await w.executor.runOnce();
    if (await done()) return;
    clock.advance(stepMs);
  }
  throw new Error("the workflow did not get there");
}

/** Every record id the sink received from flows whose name starts with `prefix`, in write order. */
export async function ingested(db: TestDatabase, prefix: string): Promise<{ flow: string; id: string }[]> {
  const r = await sql<{ flow_name: string; record_id: string }>`
    select flow_name, record_id from test_sink_log where flow_name like ${`${prefix}%`} and op = 'put'`.execute(
    db.db,
  );
  return r.rows.map((x) => ({ flow: x.flow_name, id: x.record_id }));
}

export { ManualClock };

/** Wraps a spec: window reads matching `when` throw the queued errors first, one per read. */
export function failingWindows(
  spec: ConnectorSpec,
  when: (w: { from: number; to: number }) => boolean,
  errors: Error[],
): ConnectorSpec {
  return {
    ...spec,
    open: (profile, options) => {
      const c = spec.open(profile, options);
      return {
        ...c,
        read: (request) => {
          if ("window" in request && !request.resume && when(request.window) && errors.length > 0) {
            const e = errors.shift()!;
            return (async function* () {
              yield* [];
              throw e;
            })();
          }
          return c.read(request);
        },
      };
    },
  };
}

/** `n` records evenly spread over `[from, to)`, ids w001.. */
export function spread(source: FakeSource, n: number, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `w${String(i + 1).padStart(3, "0")}`;
    source.records.push({ id, ts: from + Math.floor(((to - from) * (i + 0.5)) / n), data: { n: i + 1 } });
    ids.push(id);
  }
  return ids;
}
