import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { ConnectorError } from "../../src/connectors/sdk/index.ts";
import { planBatches } from "../../src/flows/workflows/planner.ts";
import { stepViews, workflowMetrics } from "../../src/flows/workflows/workflow-views.ts";
import { blockAt, FakeSource } from "../flows/fake-source.ts";
import { createSinkTables } from "../flows/harness.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  definition,
  drive,
  failingWindows,
  ingested,
  ManualClock,
  makeWorld,
  specOf,
  spread,
  T0,
  type World,
} from "./harness.ts";

const JUL = Date.UTC(2024, 6, 1);
const SEP = Date.UTC(2024, 8, 1);
const NOV = Date.UTC(2024, 10, 1);
const DAY = 86_400_000;

describeEachDialect("workflow runner", (dialect) => {
  let db: TestDatabase;
  let clock: ManualClock;
  let source: FakeSource;
  let name: string;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await createSinkTables(db);
  });
  afterAll(async () => {
    await db.destroy();
  });
  beforeEach(() => {
    clock = new ManualClock(T0);
    source = new FakeSource(clock);
    name = `hist${++n}`;
  });

  const create = async (w: World, batches = planBatches(JUL, T0)) => {
    // The sweep finds due retries and waits on our clock; each test starts its clock at T0 again.
    await w.executor.unschedule(db.db, "workflows:sweep");
    await w.runner.init();
    return w.runner.create({
      domainName: "d",
      objectTypeName: "User",
      roleArn: "arn:aws:iam::123456789012:role/cp",
      flowDefinition: definition(name),
      batches,
    });
  };
  const status = (w: World, id: string) => async () => (await w.store.get(db.db, id))?.status === "COMPLETE";
  const steps = (w: World, id: string) => stepViews(db.db, w.store, w.engine.executions, id);
  const once = async (ids: string[]) => {
    const got = (await ingested(db, name)).map((r) => r.id).sort();
    expect(got).toEqual([...ids].sort());
  };

  it("retries a transient failure (RETRY), goes on with the other steps, completes, counts distinct records", async () => {
    const ids = spread(source, 12, JUL, T0);
    source.pageSize = 3;
    // The first step fails after one committed page (fetch 2): its retry re-reads those 3 records.
    source.faults.push({ atFetch: 2, error: new ConnectorError("transient", "503 Service Unavailable") });
    const w = makeWorld(db, clock, specOf(source), "w1");
    const wf = await create(w);
    expect(wf.workflowId).toMatch(/^[a-f0-9]{32}$/);
    await w.executor.runOnce();
    let views = await steps(w, wf.workflowId);
    expect(views.map((s) => s.status)).toEqual(["RETRY", "COMPLETE", "NOT_STARTED"]);
    expect(views[0]!.executionMessage).toMatch(
      /^Retry 1 of 3 at .* after: Failed after 1 attempts with transient source errors; last: 503/,
    );
    expect(views[2]!.executionMessage).toMatch(/^Waiting until 2025-01-01T00:00:01.000Z/);
    expect((await w.store.get(db.db, wf.workflowId))?.status).toBe("IN_PROGRESS");

    await drive(w, clock, status(w, wf.workflowId), 10_000);
    views = await steps(w, wf.workflowId);
    expect(views.map((s) => [s.status, s.attempts])).toEqual([
      ["COMPLETE", 2],
      ["COMPLETE", 1],
      ["COMPLETE", 1],
    ]);
    expect(views.map((s) => s.recordsProcessed)).toEqual([4, 4, 4]);
    const execs = await w.engine.executions.list(db.db, views[0]!.flowName);
    expect(execs.flowExecutions.map((e) => e.executionResult.recordsProcessed)).toEqual([4, 3]); // 7 read, 4 distinct
    expect(await workflowMetrics(db.db, w.store, (await w.store.get(db.db, wf.workflowId))!)).toEqual({
      recordsProcessed: 12,
      stepsCompleted: 3,
      totalSteps: 3,
    });
    const history = (await ingested(db, name)).filter((r) => r.flow !== name).map((r) => r.id);
    expect(new Set(history)).toEqual(new Set(ids));
  });

  it("fails a step after 4 transient failures while the others go on, names the window, and re-runs it", async () => {
    const ids = spread(source, 9, JUL, T0);
    const errors = [1, 2, 3, 4].map((i) => new ConnectorError("transient", `timeout ${i}`));
    const w = makeWorld(
      db,
      clock,
      failingWindows(specOf(source), (win) => win.from === SEP, errors),
      "w1",
    );
    const wf = await create(w);
    await drive(w, clock, async () => (await w.store.get(db.db, wf.workflowId))?.status === "FAILED");
    const views = await steps(w, wf.workflowId);
    expect(views.map((s) => s.status)).toEqual(["COMPLETE", "FAILED", "COMPLETE"]);
    expect(views[1]).toMatchObject({ attempts: 4 });
    expect(views[1]!.executionMessage).toMatch(/^Failed after 4 attempts: .*timeout 4/);
    const failed = (await w.store.get(db.db, wf.workflowId))!;
    expect(failed.errorDescription).toBe(
      "1 of 3 steps failed; missing windows: [2024-09-01T00:00:00.000Z, 2024-11-01T00:00:00.000Z)",
    );
    const mine = async (hidden: boolean) =>
      (await w.integrations.list(db.db, { domainName: "d", includeHidden: hidden, limit: 100 })).filter(
        (i) => i.workflowId === wf.workflowId,
      );
    expect(await mine(false)).toEqual([]); // no hand-off while a window is missing

    expect(await w.runner.rerunFailed("d", wf.workflowId)).toEqual([{ from: SEP, to: NOV }]);
    await drive(w, clock, status(w, wf.workflowId));
    expect((await steps(w, wf.workflowId)).map((s) => s.status)).toEqual([
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
    ]);
    await once(ids);
    expect((await mine(false)).map((i) => [i.flowName, i.hidden])).toEqual([[name, false]]);
    expect((await mine(true)).filter((i) => i.hidden)).toHaveLength(3);
  });

  it("splits windows too large for the source: up front by maxWindowMs, at run time on QUERY_TIMEOUT", async () => {
    const ids = spread(source, 12, JUL, T0);
    const timeout = new ConnectorError(
      "config",
      "QUERY_TIMEOUT: Your query request was running for too long.",
    );
    const spec = failingWindows(specOf(source, 31 * DAY), (win) => win.from === SEP, [timeout]);
    const w = makeWorld(db, clock, spec, "w1");
    const wf = await create(w);
    await drive(w, clock, status(w, wf.workflowId));
    const views = await steps(w, wf.workflowId);
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    expect(views.map((s) => `${s.status} ${day(s.from)}..${day(s.to)}`)).toEqual([
      "SPLIT 2024-07-01..2024-09-01",
      "COMPLETE 2024-07-01..2024-08-01",
      "COMPLETE 2024-08-01..2024-09-01",
      "SPLIT 2024-09-01..2024-11-01",
      "SPLIT 2024-09-01..2024-10-01",
      "COMPLETE 2024-09-01..2024-09-16",
      "COMPLETE 2024-09-16..2024-10-01",
      "COMPLETE 2024-10-01..2024-11-01",
      "SPLIT 2024-11-01..2025-01-01",
      "COMPLETE 2024-11-01..2024-12-01",
      "COMPLETE 2024-12-01..2025-01-01",
    ]);
    expect(views[4]!.executionMessage).toMatch(
      /^Split into 2 smaller windows: The source refused the request: QUERY_TIMEOUT/,
    );
    const metrics = await workflowMetrics(db.db, w.store, (await w.store.get(db.db, wf.workflowId))!);
    expect(metrics).toEqual({ recordsProcessed: 12, stepsCompleted: 7, totalSteps: 7 });
    await once(ids);
  });

  it("pauses a step on an exhausted quota without using an attempt", async () => {
    const ids = spread(source, 6, SEP, T0);
    const reset = T0 + 2 * 3_600_000;
    const quota = new ConnectorError("quota_exhausted", "daily API quota used up", { resetAt: reset });
    const w = makeWorld(
      db,
      clock,
      failingWindows(specOf(source), (win) => win.from === SEP, [quota]),
      "w1",
    );
    const wf = await create(w, planBatches(SEP, T0));
    await w.executor.runOnce();
    let views = await steps(w, wf.workflowId);
    expect(views[0]).toMatchObject({ status: "IN_PROGRESS", attempts: 1 });
    expect(views[0]!.executionMessage).toMatch(/^Paused until 2025-01-01T02:00:00.000Z/);
    expect(views[1]!.status).toBe("NOT_STARTED"); // one step at a time: the quota is the source's, not the step's
    await drive(w, clock, status(w, wf.workflowId), 15 * 60_000);
    views = await steps(w, wf.workflowId);
    expect(views.map((s) => [s.status, s.attempts])).toEqual([
      ["COMPLETE", 1],
      ["COMPLETE", 1],
    ]);
    await once(ids);
  });

  it("hands off at the seam: the continuous integration starts at once at the last batch end, nothing twice", async () => {
    const history = spread(source, 4, NOV, T0 - 5_000);
    source.records.push({ id: "late", ts: T0 - 500, data: {} }); // visible only after the source's lag
    source.records.push({ id: "seam", ts: T0, data: {} }); // the continuous integration's first record
    source.records.push({ id: "during", ts: T0 + 30_000, data: {} }); // created while the backfill ran
    const w = makeWorld(db, clock, specOf(source), "w1");
    const wf = await create(w, planBatches(NOV, T0));
    await w.executor.runOnce();
    // The window ends at now: it waits out the source's lag so that "late" is visible when it is read.
    expect((await w.store.get(db.db, wf.workflowId))?.status).toBe("NOT_STARTED");
    expect((await steps(w, wf.workflowId))[0]!.executionMessage).toMatch(
      /^Waiting until 2025-01-01T00:00:01.000Z/,
    );
    clock.advance(45_000);
    await w.executor.runOnce();
    expect((await w.store.get(db.db, wf.workflowId))?.status).toBe("COMPLETE");

    const flow = (await w.flows.get(db.db, name))!;
    expect(flow).toMatchObject({ hidden: false, workflowId: wf.workflowId, flowStatus: "Active" });
    expect(flow.definition.triggerConfig.triggerProperties?.Scheduled).toMatchObject({
      dataPullMode: "Incremental",
      firstExecutionFrom: T0,
    });
    const first = (await w.engine.executions.list(db.db, name)).flowExecutions;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ executionStatus: "Successful", dataPullStartTime: T0 });
    const rows = await ingested(db, name);
    expect(rows.filter((r) => r.flow === name).map((r) => r.id)).toEqual(["seam", "during"]);
    expect(
      rows
        .filter((r) => r.flow !== name)
        .map((r) => r.id)
        .sort(),
    ).toEqual([...history, "late"].sort());
    await once([...history, "late", "seam", "during"]);
    const integration = await w.integrations.byFlow(db.db, name);
    expect(integration).toMatchObject({ workflowId: wf.workflowId, hidden: false, uri: flow.flowArn });
    expect((await w.store.get(db.db, wf.workflowId))?.integrationUri).toBe(flow.flowArn);
  });

  it("resumes after a restart: another process picks up the workflow and the killed step's execution", async () => {
    const ids = spread(source, 10, SEP, NOV);
    source.pageSize = 2;
    const hang = blockAt(3);
    source.faults.push(hang.fault);
    const a = makeWorld(db, clock, specOf(source), "process-a");
    const wf = await create(a, planBatches(SEP, T0));
    const zombie = a.executor.runOnce();
    await hang.reached; // process A wrote two pages of step 1, then "died"

    const b = makeWorld(db, clock, specOf(source), "process-b");
    await b.engine.init();
    await b.runner.init();
    clock.advance(31_000); // A's execution lease and job lock expire
    await drive(b, clock, status(b, wf.workflowId));
    hang.release();
    await zombie;
    const views = await steps(b, wf.workflowId);
    expect(views.map((s) => [s.status, s.attempts])).toEqual([
      ["COMPLETE", 1],
      ["COMPLETE", 1],
    ]);
    await once(ids);
    expect(
      (await workflowMetrics(db.db, b.store, (await b.store.get(db.db, wf.workflowId))!)).recordsProcessed,
    ).toBe(10);
  });

  it("deletes a workflow with its hidden flows, integrations and executions; the continuous integration stays", async () => {
    spread(source, 4, NOV, T0);
    const w = makeWorld(db, clock, specOf(source), "w1");
    const wf = await create(w, planBatches(NOV, T0));
    await drive(w, clock, status(w, wf.workflowId));
    const stepFlows = (await steps(w, wf.workflowId)).map((s) => s.flowName);
    await w.workflows.delete("d", wf.workflowId);
    expect(await w.store.get(db.db, wf.workflowId)).toBeUndefined();
    for (const f of stepFlows) {
      expect(await w.flows.get(db.db, f)).toBeUndefined();
      expect((await w.engine.executions.list(db.db, f)).flowExecutions).toEqual([]);
    }
    expect(await w.flows.get(db.db, name)).toBeDefined();
    await expect(w.workflows.delete("d", wf.workflowId)).rejects.toMatchObject({
      code: "RESOURCE_NOT_FOUND",
    });
  });
});
