import { afterAll, beforeAll, expect, it } from "vitest";
import { expectFaultLeavesStore, failOn, snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { type Fault, failAfter } from "./integration-faults.ts";
import {
  integrationDefinition,
  integrationFixture,
  OBJECT_TYPE,
  type Overrides,
} from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;

/**
 * Every step of PutIntegration (with a FlowDefinition) and DeleteIntegration, from the first read to
 * after the last write, made to throw in turn: the store must be exactly as before the call.
 */
describeEachDialect("IntegrationService faults", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  let n = 0;
  // One database for the suite: each case uses its own flow name and compares the store before and after itself.
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
  });
  afterAll(async () => db.destroy());

  /** The dependency calls of PutIntegration, in order; `start` is the engine call of the trigger. */
  const putSteps = (start: "activateIn" | "startOnDemandIn"): Fault[] => [
    { at: "flowStore.get", wrap: () => ({ integration: { flowStore: failOn(fx.world.flows, "get") } }) },
    { at: "flows.createIn", wrap: () => ({ integration: { flows: failOn(fx.build().flows, "createIn") } }) },
    { at: "flow store create", wrap: () => ({ flow: { flows: failOn(fx.world.flows, "create") } }) },
    { at: "flows.startIn", wrap: () => ({ integration: { flows: failOn(fx.build().flows, "startIn") } }) },
    { at: `engine.${start}`, wrap: () => ({ flow: { runner: failOn(fx.world.engine, start) } }) },
    { at: `after engine.${start}`, wrap: () => ({ flow: { runner: failAfter(fx.world.engine, start) } }) },
    {
      at: "integrations.put",
      wrap: () => ({ integration: { integrations: failOn(fx.world.integrations, "put") } }),
    },
    { at: "tags.tagIn", wrap: () => ({ integration: { tags: failOn(fx.ds.tags, "tagIn") } }) },
    { at: "after tags.tagIn", wrap: () => ({ integration: { tags: failAfter(fx.ds.tags, "tagIn") } }) },
  ];

  const put = (o: Overrides, trigger: "Scheduled" | "OnDemand") =>
    fx.build(o).integrations.put("d", {
      objectTypeName: OBJECT_TYPE,
      flowDefinition: integrationDefinition(`put-${++n}`, trigger),
      tags: { team: "crm" },
    });

  for (const trigger of ["Scheduled", "OnDemand"] as const) {
    const start = trigger === "Scheduled" ? "activateIn" : "startOnDemandIn";
    for (const step of putSteps(start)) {
      it(`PutIntegration (${trigger}): a fault at ${step.at} leaves the store as it was`, async () => {
        await expectFaultLeavesStore(db, () => put(step.wrap(), trigger));
      });
    }

    it(`PutIntegration (${trigger}) without a fault stores the flow, its ${trigger === "Scheduled" ? "schedule" : "execution"}, the integration and its tags`, async () => {
      const before = await snapshotStore(db);
      const view = await put({}, trigger);
      const after = await snapshotStore(db);
      expect(view.tags).toEqual({ team: "crm" });
      expect(after["flows"]).toHaveLength(before["flows"]!.length + 1);
      expect(after["integrations"]).toHaveLength(before["integrations"]!.length + 1);
      const started = trigger === "Scheduled" ? "executor_schedules" : "flow_executions";
      expect(after[started]!.length).toBeGreaterThan(before[started]!.length);
    });
  }

  /** The dependency calls of DeleteIntegration of a running (OnDemand) or scheduled flow, in order. */
  const deleteSteps = (running: boolean): Fault[] => [
    {
      at: "integrations.require",
      wrap: () => ({ integration: { integrations: failOn(fx.world.integrations, "require") } }),
    },
    { at: "flows.deleteIn", wrap: () => ({ integration: { flows: failOn(fx.build().flows, "deleteIn") } }) },
    ...(running
      ? [
          { at: "engine.cancelIn", wrap: () => ({ flow: { runner: failOn(fx.world.engine, "cancelIn") } }) },
          {
            at: "after engine.cancelIn",
            wrap: () => ({ flow: { runner: failAfter(fx.world.engine, "cancelIn") } }),
          },
        ]
      : []),
    { at: "engine.forgetIn", wrap: () => ({ flow: { runner: failOn(fx.world.engine, "forgetIn") } }) },
    {
      at: "after engine.forgetIn",
      wrap: () => ({ flow: { runner: failAfter(fx.world.engine, "forgetIn") } }),
    },
    { at: "the flow's tags", wrap: () => ({ flow: { tags: failAfter(fx.ds.tags, "clearIn") } }) },
    { at: "flow store delete", wrap: () => ({ flow: { flows: failAfter(fx.world.flows, "delete") } }) },
    {
      at: "the integration's tags",
      wrap: () => ({ integration: { tags: failAfter(fx.ds.tags, "clearIn") } }),
    },
    {
      at: "integrations.delete",
      wrap: () => ({ integration: { integrations: failOn(fx.world.integrations, "delete") } }),
    },
    {
      at: "after integrations.delete",
      wrap: () => ({ integration: { integrations: failAfter(fx.world.integrations, "delete") } }),
    },
  ];

  for (const running of [true, false]) {
    const trigger = running ? "OnDemand" : "Scheduled";
    for (const step of deleteSteps(running)) {
      it(`DeleteIntegration (${running ? "its flow running" : "scheduled"}): a fault at ${step.at} leaves the store as it was`, async () => {
        const { integration } = await put({}, trigger);
        if (running) expect(await fx.world.engine.isRunning(db.db, integration.flowName!)).toBe(true);
        await expectFaultLeavesStore(db, () =>
          fx.build(step.wrap()).integrations.delete("d", integration.uri),
        );
      });
    }
  }

  it("DeleteIntegration without a fault removes the flow, its executions, schedule and tags, and the integration", async () => {
    const before = await snapshotStore(db);
    const { integration } = await put({}, "OnDemand");
    await fx.build().integrations.delete("d", integration.uri);
    const after = await snapshotStore(db);
    for (const table of ["flows", "flow_executions", "integrations", "resource_tags", "executor_schedules"])
      expect(after[table]).toEqual(before[table]);
  });
});
