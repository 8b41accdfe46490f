import { afterAll, beforeAll, expect, it } from "vitest";
import { snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { TEST_CALLER } from "../workflows/allow-all-role.ts";
import { integrationDefinition, integrationFixture, OBJECT_TYPE } from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;

const JUL = Date.UTC(2024, 6, 1);
const SEP = Date.UTC(2024, 8, 1);

describeEachDialect("IntegrationService.deleteForDomainIn (DeleteDomain's cascade)", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
  });
  afterAll(async () => db.destroy());

  it("removes the domain's workflows, integrations, their tags, flows, schedules and executions; other domains keep theirs", async () => {
    const { integrations, workflows } = fx.build();
    await integrations.put("d", {
      objectTypeName: OBJECT_TYPE,
      flowDefinition: integrationDefinition("keep", "Scheduled"),
    });
    await fx.ds.domains.create("d2", { defaultExpirationDays: 30 }, undefined);
    const before = await snapshotStore(db);
    const put = (name: string, trigger: "Scheduled" | "OnDemand") =>
      integrations.put("d2", {
        objectTypeName: OBJECT_TYPE,
        flowDefinition: integrationDefinition(name, trigger, "d2"),
        tags: { team: "crm" },
      });
    await put("d2-scheduled", "Scheduled");
    const running = await put("d2-running", "OnDemand");
    expect(await fx.world.engine.isRunning(db.db, running.integration.flowName!)).toBe(true);
    await workflows.create("d2", {
      objectTypeName: OBJECT_TYPE,
      roleArn: "arn:aws:iam::123456789012:role/CustomerProfilesWorkflow",
      callerAccessKeyId: TEST_CALLER,
      flowDefinition: integrationDefinition("d2-history", "Scheduled", "d2"),
      batches: [{ from: JUL, to: SEP }],
    });
    expect((await snapshotStore(db))["flows"]).toHaveLength(before["flows"]!.length + 3);

    await db.db.transaction().execute((tx) => integrations.deleteForDomainIn(tx, "d2"));
    // Every row the domain's integrations and workflow added is gone, jobs and schedules included.
    const after = await snapshotStore(db);
    for (const table of Object.keys(before).filter((t) => t !== "executor_jobs"))
      expect(after[table], table).toEqual(before[table]);
    // Jobs already queued may stay: each finds nothing and ends (the cancelled execution's run, enqueued once
    // more to end it, and the deleted workflow's advance). No schedule stays (compared above).
    const left = after["executor_jobs"]!.filter((row) => !before["executor_jobs"]!.includes(row)).map(
      (row) => {
        const job = JSON.parse(row) as { task: string; queue_name: string };
        return `${job.task} ${job.queue_name.startsWith("workflow:") ? "workflow:…" : job.queue_name}`;
      },
    );
    expect(left.sort()).toEqual(["flows.run flow:d2-running", "workflows.advance workflow:…"]);
    expect(
      (await integrations.list("d", { includeHidden: true, limit: 10 })).map((v) => v.integration.flowName),
    ).toEqual(["keep"]);
  });
});
