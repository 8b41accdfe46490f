import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { down, up } from "../../src/db/migrations/0250_flow_source_connector_profile.ts";
import { FlowStore } from "../../src/flows/flow-store.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { integrationDefinition } from "../services/integration-fixture.ts";

/** DeleteConnectorProfile's in-use check reads flows.source_connector_profile, kept by create and update. */
describeEachDialect("FlowStore.usingConnectorProfile", (dialect) => {
  let db: TestDatabase;
  const store = new FlowStore(new ManualClock(Date.UTC(2026, 11, 3)), "arn:aws:appflow:us-east-1:1:flow/");
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => db.destroy());

  const reading = (flowName: string, profile: string) => {
    const def = integrationDefinition(flowName, "OnDemand");
    return { ...def, sourceFlowConfig: { ...def.sourceFlowConfig, connectorProfileName: profile } };
  };

  it("names the flows reading through a profile, following an update that changes the source", async () => {
    await store.create(db.db, reading("b-flow", "sn-1"), { status: "Draft" });
    await store.create(db.db, reading("a-flow", "sn-1"), { status: "Draft" });
    await store.create(db.db, reading("c-flow", "sn-2"), { status: "Draft" });
    expect(await store.usingConnectorProfile(db.db, "sn-1")).toEqual(["a-flow", "b-flow"]);
    expect(await store.usingConnectorProfile(db.db, "sn-3")).toEqual([]);

    await store.update(db.db, reading("b-flow", "sn-2"));
    expect(await store.usingConnectorProfile(db.db, "sn-1")).toEqual(["a-flow"]);
    expect(await store.usingConnectorProfile(db.db, "sn-2")).toEqual(["b-flow", "c-flow"]);

    await store.delete(db.db, "a-flow");
    expect(await store.usingConnectorProfile(db.db, "sn-1")).toEqual([]);
  });

  it("migration 0250 fills the column from the stored definitions of flows written before it", async () => {
    await store.create(db.db, reading("old-flow", "sn-old"), { status: "Draft" });
    await down(db.db);
    await up(db.db);
    expect(await store.usingConnectorProfile(db.db, "sn-old")).toEqual(["old-flow"]);
    expect(await store.usingConnectorProfile(db.db, "sn-2")).toEqual(["b-flow", "c-flow"]);
  });
});
