import { ConnectorProfileStore } from "../../src/flows/connector-profile-store.ts";
import type { FlowDefinition } from "../../src/flows/flow-definition.ts";
import { WorkflowRunner } from "../../src/flows/workflows/workflow-runner.ts";
import { FlowService, type FlowServiceDeps } from "../../src/services/flow-service.ts";
import { IntegrationService, type IntegrationServiceDeps } from "../../src/services/integration-service.ts";
import { WorkflowService, type WorkflowServiceDeps } from "../../src/services/workflow-service.ts";
import { FakeSource } from "../flows/fake-source.ts";
import { domainServices } from "../helpers/domain-services.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { allowAllRole } from "../workflows/allow-all-role.ts";
import {
  CONNECTOR_PROFILE_ARN_PREFIX,
  definition,
  identityBox,
  ManualClock,
  makeWorld,
  specOf,
  T0,
} from "../workflows/harness.ts";

/** The object type every fixture integration writes into (a template: no PutProfileObjectType needed). */
export const OBJECT_TYPE = "Servicenow-sys_user";

/** A definition of the fake ServiceNow source into `domainName` / OBJECT_TYPE, Scheduled or on demand. */
export function integrationDefinition(
  flowName: string,
  trigger: "Scheduled" | "OnDemand",
  domainName = "d",
): FlowDefinition {
  const base = definition(flowName);
  return {
    ...base,
    sourceFlowConfig: {
      ...base.sourceFlowConfig,
      incrementalPullConfig: { datetimeTypeFieldName: "sys_updated_on" },
    },
    destinationFlowConfigList: [
      {
        connectorType: "CustomerProfiles",
        destinationConnectorProperties: {
          CustomerProfiles: { domainName, objectTypeName: OBJECT_TYPE },
        },
      },
    ],
    tasks: [
      { taskType: "Filter", sourceFields: ["n"], connectorOperator: { ServiceNow: "PROJECTION" } },
      {
        taskType: "Map",
        sourceFields: ["n"],
        destinationField: "n",
        connectorOperator: { ServiceNow: "NO_OP" },
      },
    ],
    triggerConfig:
      trigger === "Scheduled"
        ? {
            triggerType: "Scheduled",
            triggerProperties: {
              Scheduled: { scheduleExpression: "rate(1hours)", dataPullMode: "Incremental" },
            },
          }
        : { triggerType: "OnDemand" },
  };
}

/** Dependencies a fault test may replace (with a failOn proxy) when it builds the services. */
export interface Overrides {
  integration?: Partial<IntegrationServiceDeps>;
  workflow?: Partial<WorkflowServiceDeps>;
  flow?: Partial<FlowServiceDeps>;
  /** The workflow runner's options (its flow store, integration store, executor). */
  runner?: Partial<ConstructorParameters<typeof WorkflowRunner>[0]>;
}

/**
 * A database with domain `d` and connector profile `fake-conn`, and a builder of IntegrationService and
 * WorkflowService over it as src/main.ts composes them: real stores, the real engine and runner.
 */
export async function integrationFixture(db: TestDatabase) {
  const clock = new ManualClock(T0);
  const spec = specOf(new FakeSource(clock));
  const world = makeWorld(db, clock, spec, "fixture");
  const ds = domainServices(db, clock);
  await ds.domains.create("d", { defaultExpirationDays: 30 }, undefined);
  const connectorProfiles = new ConnectorProfileStore(identityBox, clock, CONNECTOR_PROFILE_ARN_PREFIX);
  await connectorProfiles.create(db.db, {
    name: "fake-conn",
    connectorType: "Servicenow",
    connectionMode: "Public",
    properties: { ServiceNow: { instanceUrl: "https://fake.service-now.com" } },
    credentials: undefined,
    connectionStatus: "Connected",
  });
  const build = (o: Overrides = {}) => {
    const flowDeps: FlowServiceDeps = {
      db: db.db,
      flows: world.flows,
      connectorProfiles,
      runner: world.engine,
      tags: ds.tags,
      domainExists: async (q, name) => (await ds.domainStore.get(q, name)) !== undefined,
      ...o.flow,
    };
    const flows = new FlowService(flowDeps);
    const runner = o.runner
      ? new WorkflowRunner({
          db: db.db,
          clock,
          executor: world.executor,
          engine: world.engine,
          flows: world.flows,
          integrations: world.integrations,
          connectors: { Servicenow: spec },
          role: allowAllRole.roleActor,
          ...o.runner,
        })
      : world.runner;
    const workflows = new WorkflowService({
      db: db.db,
      clock,
      domains: ds.domains,
      objectTypes: ds.objectTypes,
      flows,
      flowStore: world.flows,
      integrations: world.integrations,
      integrationDeletion: {
        deleteIn: (tx, integration): Promise<void> => integrations.deleteIn(tx, integration),
      },
      runner,
      executions: world.engine.executions,
      ...allowAllRole,
      ...o.workflow,
    });
    const integrations = new IntegrationService({
      db: db.db,
      integrations: world.integrations,
      flows,
      flowStore: world.flows,
      tags: ds.tags,
      workflows,
      domains: ds.domains,
      objectTypes: ds.objectTypes,
      ...o.integration,
    });
    return { flows, workflows, integrations };
  };
  return { clock, world, ds, connectorProfiles, build };
}
