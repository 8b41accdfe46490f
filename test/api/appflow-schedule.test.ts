import {
  CreateConnectorProfileCommand,
  CreateFlowCommand,
  type CreateFlowCommandInput,
  DescribeFlowCommand,
  StartFlowCommand,
  UpdateFlowCommand,
  ValidationException,
} from "@aws-sdk/client-appflow";
import { CreateDomainCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FlowDefinition } from "../../src/flows/flow-definition.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

function scheduled(name: string, scheduleExpression: string): CreateFlowCommandInput {
  return {
    flowName: name,
    triggerConfig: {
      triggerType: "Scheduled",
      triggerProperties: { Scheduled: { scheduleExpression, dataPullMode: "Incremental" } },
    },
    sourceFlowConfig: {
      connectorType: "Servicenow",
      connectorProfileName: "sn",
      sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
      incrementalPullConfig: { datetimeTypeFieldName: "sys_updated_on" },
    },
    destinationFlowConfigList: [
      {
        connectorType: "CustomerProfiles",
        destinationConnectorProperties: {
          CustomerProfiles: { domainName: "sched-d", objectTypeName: "Servicenow-sys_user" },
        },
      },
    ],
    tasks: [
      { taskType: "Filter", sourceFields: ["sys_id"], connectorOperator: { ServiceNow: "PROJECTION" } },
    ],
  };
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: Error) => e,
  );
}

describeEachDialect(
  "the schedule expression rule is parseScheduleExpression's, through the SDK",
  (dialect) => {
    let t: TestServer;
    let sb: ServiceNowSandbox;
    beforeAll(async () => {
      sb = await startServiceNowSandbox({ seed: 5, people: 5 });
      t = await startTestServer(dialect);
      await t.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
      await t.profiles.send(new CreateDomainCommand({ DomainName: "sched-d", DefaultExpirationDays: 30 }));
    });
    afterAll(async () => {
      await t?.close();
      await sb?.close();
    });

    it("CreateFlow and UpdateFlow refuse rate(0 minutes), with the one-minute minimum", async () => {
      const created = await refusal(
        t.appflow.send(new CreateFlowCommand(scheduled("zero", "rate(0 minutes)"))),
      );
      expect(created).toBeInstanceOf(ValidationException);
      expect(created.message).toBe("Schedule expression rate(0 minutes) must be at least 1 minute");
      await t.appflow.send(new CreateFlowCommand(scheduled("hourly", "rate(1 hours)")));
      const updated = await refusal(
        t.appflow.send(new UpdateFlowCommand(scheduled("hourly", "rate(0 minutes)"))),
      );
      expect(updated).toBeInstanceOf(ValidationException);
      expect(updated.message).toBe("Schedule expression rate(0 minutes) must be at least 1 minute");
      const kept = await t.appflow.send(new DescribeFlowCommand({ flowName: "hourly" }));
      expect(kept.triggerConfig?.triggerProperties?.Scheduled?.scheduleExpression).toBe("rate(1 hours)");
    });

    it("StartFlow of a stored rate(0 minutes) flow is refused and leaves it Draft with no schedule", async () => {
      // As if stored by a version whose API accepted it: straight into the store, past CreateFlow's check.
      const def = { ...scheduled("stored-zero", "rate(0 minutes)") } as unknown as FlowDefinition;
      const db = t.server.database.db;
      await t.server.flows.flows.create(db, def, { status: "Draft" });
      const before = await snapshotStore(t.server.database);
      const started = await refusal(t.appflow.send(new StartFlowCommand({ flowName: "stored-zero" })));
      expect(started).toBeInstanceOf(ValidationException);
      expect(started.message).toBe("Schedule expression rate(0 minutes) must be at least 1 minute");
      expect(await snapshotStore(t.server.database)).toEqual(before);
      const described = await t.appflow.send(new DescribeFlowCommand({ flowName: "stored-zero" }));
      expect(described.flowStatus).toBe("Draft");
    });
  },
);
