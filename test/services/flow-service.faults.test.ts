import { afterAll, beforeAll, expect, it } from "vitest";
import { Idempotency } from "../../src/api/idempotency.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import type { FlowServiceDeps, StartedFlow } from "../../src/services/flow-service.ts";
import { plain } from "../../src/services/replayable.ts";
import {
  type FaultStep,
  failOn,
  faultsAround,
  InjectedFault,
  snapshotStore,
} from "../helpers/store-snapshot.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { integrationDefinition, integrationFixture } from "./integration-fixture.ts";

type Fixture = Awaited<ReturnType<typeof integrationFixture>>;
type Trigger = "Scheduled" | "OnDemand";

type Step = FaultStep<FlowServiceDeps>;

/**
 * Every step of DeleteFlow, StartFlow, StopFlow, CreateFlow and UpdateFlow, from the first read to after
 * the last write (the clientToken's record included), made to throw in turn: the store must be exactly
 * as before the call, on both dialects. FlowService is built as src/main.ts composes it, from real stores
 * and the real engine, with one dependency wrapped.
 */
describeEachDialect("FlowService faults", (dialect) => {
  let db: TestDatabase;
  let fx: Fixture;
  let idempotency: Idempotency;
  let n = 0;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    fx = await integrationFixture(db);
    idempotency = new Idempotency(fx.clock, { key: Buffer.alloc(32, 7), ttlMs: 8 * 3_600_000 });
  });
  afterAll(async () => db.destroy());

  const service = (deps: Partial<FlowServiceDeps> = {}) => fx.build({ flow: { idempotency, ...deps } }).flows;
  const flows = () => fx.world.flows;
  const engine = () => fx.world.engine;
  const tags = () => fx.ds.tags;

  /** A flow as the API leaves it: created with tags, then started (Active, scheduled or running). */
  async function existing(trigger: Trigger, o: { started: boolean }): Promise<string> {
    const name = `faults-${++n}`;
    await service().create(integrationDefinition(name, trigger), { tags: { team: "crm" } }, plain());
    if (o.started) await service().start(name, plain());
    return name;
  }

  /** Runs `op` once per step with that step failing; each run must reject with the fault and change nothing. */
  function eachStep(
    what: string,
    steps: Step[],
    setup: () => Promise<string>,
    op: (deps: Partial<FlowServiceDeps>, name: string) => Promise<unknown>,
  ) {
    for (const step of steps) {
      it(`${what}: a fault at ${step.at} leaves the store as it was`, async () => {
        const name = await setup();
        const before = await snapshotStore(db);
        await expect(op(step.deps(), name)).rejects.toBeInstanceOf(InjectedFault);
        expect(await snapshotStore(db)).toEqual(before);
      });
    }
  }

  const token = (name: string) => ({ token: `token-${name}`, request: { name } });
  const recorded = (what: string) =>
    faultsAround<FlowServiceDeps>(`the clientToken record of ${what}`, (wrap) => ({
      idempotency: wrap(idempotency, "runIn"),
    }));

  const deleteSteps = (running: boolean): Step[] => [
    { at: "flows.require", deps: () => ({ flows: failOn(flows(), "require") }) },
    { at: "runner.isRunning", deps: () => ({ runner: failOn(engine(), "isRunning") }) },
    ...(running
      ? faultsAround<FlowServiceDeps>("runner.cancelIn", (wrap) => ({ runner: wrap(engine(), "cancelIn") }))
      : []),
    ...faultsAround<FlowServiceDeps>("runner.forgetIn", (wrap) => ({ runner: wrap(engine(), "forgetIn") })),
    ...faultsAround<FlowServiceDeps>("tags.clearIn", (wrap) => ({ tags: wrap(tags(), "clearIn") })),
    ...faultsAround<FlowServiceDeps>("flows.delete", (wrap) => ({ flows: wrap(flows(), "delete") })),
  ];
  eachStep(
    "DeleteFlow (forced, an execution running)",
    deleteSteps(true),
    () => existing("OnDemand", { started: true }),
    (deps, name) => service(deps).delete(name, { force: true }),
  );
  eachStep(
    "DeleteFlow (scheduled and active)",
    deleteSteps(false),
    () => existing("Scheduled", { started: true }),
    (deps, name) => service(deps).delete(name, { force: false }),
  );

  const startScheduled: Step[] = [
    { at: "flows.require", deps: () => ({ flows: failOn(flows(), "require") }) },
    ...faultsAround<FlowServiceDeps>("flows.setStatus", (wrap) => ({ flows: wrap(flows(), "setStatus") })),
    ...faultsAround<FlowServiceDeps>("runner.activateIn", (wrap) => ({
      runner: wrap(engine(), "activateIn"),
    })),
    ...recorded("StartFlow"),
  ];
  eachStep(
    "StartFlow (Scheduled, Draft)",
    startScheduled,
    () => existing("Scheduled", { started: false }),
    (deps, name) =>
      service(deps).start(name, { ...token(name), respond: (s: StartedFlow) => s.flow.flowArn }),
  );
  const startOnDemand: Step[] = [
    { at: "flows.require", deps: () => ({ flows: failOn(flows(), "require") }) },
    { at: "runner.isRunning", deps: () => ({ runner: failOn(engine(), "isRunning") }) },
    ...faultsAround<FlowServiceDeps>("runner.startOnDemandIn", (wrap) => ({
      runner: wrap(engine(), "startOnDemandIn"),
    })),
    ...recorded("StartFlow"),
  ];
  eachStep(
    "StartFlow (OnDemand)",
    startOnDemand,
    () => existing("OnDemand", { started: false }),
    (deps, name) => service(deps).start(name, { ...token(name), respond: (s: StartedFlow) => s.executionId }),
  );

  eachStep(
    "StopFlow",
    [
      { at: "flows.require", deps: () => ({ flows: failOn(flows(), "require") }) },
      ...faultsAround<FlowServiceDeps>("flows.setStatus", (wrap) => ({ flows: wrap(flows(), "setStatus") })),
      ...faultsAround<FlowServiceDeps>("runner.deactivateIn", (wrap) => ({
        runner: wrap(engine(), "deactivateIn"),
      })),
    ],
    () => existing("Scheduled", { started: true }),
    (deps, name) => service(deps).stop(name),
  );

  eachStep(
    "CreateFlow",
    [
      {
        at: "connectorProfiles.require",
        deps: () => ({ connectorProfiles: failOn(fx.connectorProfiles, "require") }),
      },
      ...faultsAround<FlowServiceDeps>("flows.create", (wrap) => ({ flows: wrap(flows(), "create") })),
      ...faultsAround<FlowServiceDeps>("tags.tagIn", (wrap) => ({ tags: wrap(tags(), "tagIn") })),
      ...recorded("CreateFlow"),
    ],
    async () => `faults-${++n}`,
    (deps, name) =>
      service(deps).create(
        integrationDefinition(name, "Scheduled"),
        { tags: { team: "crm" } },
        { ...token(name), respond: (f) => f.flowArn },
      ),
  );

  eachStep(
    "UpdateFlow (Scheduled, active: the new schedule replaces the old)",
    [
      { at: "flows.require", deps: () => ({ flows: failOn(flows(), "require") }) },
      ...faultsAround<FlowServiceDeps>("flows.update", (wrap) => ({ flows: wrap(flows(), "update") })),
      ...faultsAround<FlowServiceDeps>("runner.activateIn", (wrap) => ({
        runner: wrap(engine(), "activateIn"),
      })),
      ...recorded("UpdateFlow"),
    ],
    () => existing("Scheduled", { started: true }),
    (deps, name) => {
      const def = integrationDefinition(name, "Scheduled");
      const every2h = { scheduleExpression: "rate(2hours)", dataPullMode: "Incremental" as const };
      const changed = {
        ...def,
        triggerConfig: { ...def.triggerConfig, triggerProperties: { Scheduled: every2h } },
      };
      return service(deps).update(changed, { ...token(name), respond: (f) => f.flowStatus });
    },
  );

  it("without a fault, each operation changes the store (the steps above are real writes)", async () => {
    const rows = async (table: string) => (await snapshotStore(db))[table]!.length;
    const name = await existing("Scheduled", { started: false });
    const schedules = await rows("executor_schedules");
    await service().start(name, plain());
    expect(await rows("executor_schedules")).toBe(schedules + 1);
    await service().stop(name);
    expect(await rows("executor_schedules")).toBe(schedules);
    const running = await existing("OnDemand", { started: true });
    const flowsBefore = await rows("flows");
    await service().delete(running, { force: true });
    expect(await rows("flows")).toBe(flowsBefore - 1);
    expect(
      (await db.db.selectFrom("resource_tags").selectAll().execute()).map((r) => r.resource_arn),
    ).not.toContain(flows().arnOf(running));
  });

  it("DeleteDomain's cascade deletes every flow into the domain, through the one deletion path", async () => {
    const names = [
      await existing("OnDemand", { started: true }),
      await existing("Scheduled", { started: true }),
    ];
    await db.db.transaction().execute((tx: Queryable) => service().deleteForDomainIn(tx, "d"));
    for (const name of names) expect(await flows().get(db.db, name)).toBeUndefined();
  });
});
