import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkflowRunner } from "../../src/flows/workflows/workflow-runner.ts";
import type { WorkflowStore } from "../../src/flows/workflows/workflow-store.ts";
import { expectFaultLeavesStore, failOn, snapshotStore } from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { TEST_CALLER } from "../workflows/allow-all-role.ts";
import { type Fault, failAfter } from "./integration-faults.ts";
import {
  integrationDefinition,
  integrationFixture,
  OBJECT_TYPE,
  type Overrides,
} from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;

const JUL = Date.UTC(2024, 6, 1);
const SEP = Date.UTC(2024, 8, 1);
const NOV = Date.UTC(2024, 10, 1);

/**
 * Every step of CreateIntegrationWorkflow (two batches: two steps, each a hidden flow and integration,
 * then the job that starts the workflow) and of DeleteWorkflow, made to throw in turn: the store must be
 * exactly as before the call.
 */
describeEachDialect("WorkflowService faults", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  let n = 0;
  // One database for the suite: each case uses its own flow name and compares the store before and after itself.
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
  });
  afterAll(async () => db.destroy());

  const create = (o: Overrides) =>
    fx.build(o).workflows.create("d", {
      objectTypeName: OBJECT_TYPE,
      roleArn: "arn:aws:iam::123456789012:role/CustomerProfilesWorkflow",
      callerAccessKeyId: TEST_CALLER,
      flowDefinition: integrationDefinition(`hist-${++n}`, "Scheduled"),
      batches: [
        { from: JUL, to: SEP },
        { from: SEP, to: NOV },
      ],
    });

  const createSteps = (): Fault[] => [
    { at: "flows.checkIn", wrap: () => ({ workflow: { flows: failOn(fx.build().flows, "checkIn") } }) },
    ...[1, 2].flatMap((k): Fault[] => [
      { at: `step ${k}'s flow`, wrap: () => ({ runner: { flows: failOn(fx.world.flows, "create", k) } }) },
      {
        at: `after step ${k}'s flow`,
        wrap: () => ({ runner: { flows: failAfter(fx.world.flows, "create", k) } }),
      },
      {
        at: `step ${k}'s integration`,
        wrap: () => ({ runner: { integrations: failOn(fx.world.integrations, "put", k) } }),
      },
      {
        at: `after step ${k}'s integration`,
        wrap: () => ({ runner: { integrations: failAfter(fx.world.integrations, "put", k) } }),
      },
    ]),
    { at: "the start job", wrap: () => ({ runner: { executor: failOn(fx.world.executor, "enqueue") } }) },
    {
      at: "after the start job",
      wrap: () => ({ runner: { executor: failAfter(fx.world.executor, "enqueue") } }),
    },
  ];

  for (const step of createSteps()) {
    it(`CreateIntegrationWorkflow: a fault at ${step.at} leaves the store as it was`, async () => {
      await expectFaultLeavesStore(db, () => create(step.wrap()));
    });
  }

  it("CreateIntegrationWorkflow without a fault stores the workflow, two steps with their hidden flows and integrations, and its job", async () => {
    const before = await snapshotStore(db);
    const { workflow, batches } = await create({});
    expect(batches).toHaveLength(2);
    const after = await snapshotStore(db);
    expect(after["workflows"]).toHaveLength(before["workflows"]!.length + 1);
    expect(after["workflow_steps"]).toHaveLength(before["workflow_steps"]!.length + 2);
    expect(after["flows"]).toHaveLength(before["flows"]!.length + 2);
    expect(after["integrations"]).toHaveLength(before["integrations"]!.length + 2);
    expect(after["executor_jobs"]!.some((j) => j.includes(workflow.workflowId))).toBe(true);
  });

  const deleteSteps = (): Fault[] => [
    ...[1, 2].flatMap((k): Fault[] => [
      {
        // A step's hidden integration goes through DeleteIntegration's one path (IntegrationService.deleteIn).
        at: `step ${k}'s integration`,
        wrap: () => ({ integration: { integrations: failAfter(fx.world.integrations, "delete", k) } }),
      },
      {
        // Its flow is deleted by that path (or by the workflow when no integration names it).
        at: `step ${k}'s flow`,
        wrap: () => {
          const flows = failAfter(fx.build().flows, "deleteIn", k);
          return { integration: { flows }, workflow: { flows } };
        },
      },
    ]),
    {
      at: "the workflow's rows",
      wrap: () => ({ workflow: { runner: withStore(failAfter(fx.world.runner.store, "delete")) } }),
    },
  ];

  /** The runner with its store replaced (DeleteWorkflow removes the workflow's rows through it). */
  const withStore = (store: WorkflowStore): WorkflowRunner =>
    new Proxy(fx.world.runner, {
      get: (t, p) => (p === "store" ? store : Reflect.get(t, p)),
    });

  for (const step of deleteSteps()) {
    it(`DeleteWorkflow: a fault at ${step.at} leaves the store as it was`, async () => {
      const { workflow } = await create({});
      await expectFaultLeavesStore(db, () =>
        fx.build(step.wrap()).workflows.delete("d", workflow.workflowId),
      );
    });
  }

  it("DeleteWorkflow without a fault removes the workflow, its steps, their hidden flows and integrations", async () => {
    const before = await snapshotStore(db);
    const { workflow } = await create({});
    await fx.build().workflows.delete("d", workflow.workflowId);
    const after = await snapshotStore(db);
    for (const table of ["workflows", "workflow_steps", "flows", "integrations"])
      expect(after[table]).toEqual(before[table]);
  });
});
