import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { ConnectorError } from "../../src/connectors/sdk/index.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { failureAdvice, invertedWindowMessage } from "../../src/flows/failure-advice.ts";
import type { FlowDefinition, StoredFlow } from "../../src/flows/flow-definition.ts";
import type { FlowEngine } from "../../src/flows/flow-engine.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { blockAt, FakeSource } from "./fake-source.ts";
import {
  createSinkTables,
  ManualClock,
  MemoryFlows,
  makeRunner,
  seed,
  sinkLog,
  sinkObjects,
  T0,
} from "./harness.ts";

/** A flow's scheduled trigger: every 5 minutes, incremental pulls from `firstExecutionFrom`. */
const incrementalEvery5Minutes = (firstExecutionFrom: number): Partial<FlowDefinition> => ({
  triggerConfig: {
    triggerType: "Scheduled",
    triggerProperties: {
      Scheduled: { scheduleExpression: "rate(5minutes)", dataPullMode: "Incremental", firstExecutionFrom },
    },
  },
});

describeEachDialect("flow engine", (dialect) => {
  let db: TestDatabase;
  let clock: ManualClock;
  let source: FakeSource;
  let flows: MemoryFlows;
  let n = 0;
  let name: string;

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
    flows = new MemoryFlows();
    name = `flow-${++n}`;
  });

  const inTx = <T>(fn: (tx: Queryable) => Promise<T>) => db.db.transaction().execute(fn);
  const startOnDemand = (engine: FlowEngine, flow: StoredFlow) =>
    inTx((tx) => engine.startOnDemandIn(tx, flow));
  const activate = (engine: FlowEngine, flow: StoredFlow) => inTx((tx) => engine.activateIn(tx, flow));
  const cancel = (engine: FlowEngine, flowName: string, ids: readonly string[]) =>
    inTx((tx) => engine.cancelIn(tx, flowName, ids));
  const ids = (k: number) => Array.from({ length: k }, (_, i) => `r${String(i + 1).padStart(2, "0")}`);
  /** Waits until the execution committed `records` (the runner fetches a page ahead of the one it writes). */
  const committed = async (engine: FlowEngine, id: string, records: number) => {
    await expect.poll(async () => (await engine.executions.get(db.db, id))?.records_processed).toBe(records);
  };

  it("runs an on-demand flow: tasks, sink, deletions, precise counts", async () => {
    seed(source, 7);
    source.records[2] = { ...source.records[2]!, data: { n: 3, email: null } }; // dropped by Validate
    source.records[4] = { ...source.records[4]!, data: { n: 5, email: "u5@x.io", bad: true } }; // sink failure
    source.deletions.push({ id: "gone-1", deletedAt: T0 - 2000 });
    const flow = flows.add(name, {
      tasks: [
        {
          taskType: "Filter",
          sourceFields: ["n", "email", "bad"],
          connectorOperator: { ServiceNow: "PROJECTION" },
        },
        { taskType: "Map_all", sourceFields: [] },
        {
          taskType: "Validate",
          sourceFields: ["email"],
          connectorOperator: { ServiceNow: "VALIDATE_NON_NULL" },
          taskProperties: { VALIDATION_ACTION: "DropRecord" },
        },
        {
          taskType: "Mask",
          sourceFields: ["email"],
          destinationField: "email",
          connectorOperator: { ServiceNow: "MASK_FIRST_N" },
          taskProperties: { MASK_LENGTH: "2", MASK_VALUE: "#" },
        },
      ],
    });
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    await executor.runOnce();

    const objects = await sinkObjects(db, name);
    expect(Object.keys(objects)).toEqual(["r01", "r02", "r04", "r06", "r07"]);
    expect(objects["r01"]).toEqual({ n: 1, email: "##@x.io" });
    expect(await sinkLog(db, name)).toContainEqual({ record_id: "gone-1", op: "delete" });
    const { flowExecutions } = await engine.executions.list(db.db, name);
    expect(flowExecutions).toHaveLength(1);
    const rec = flowExecutions[0]!;
    expect(rec.executionId).toBe(id);
    expect(rec.executionStatus).toBe("Successful");
    expect(rec.executionResult.recordsProcessed).toBe(6);
    expect(rec.executionResult.errorInfo.putFailuresCount).toBe(1);
    expect(rec.executionResult.errorInfo.executionMessage).toBe(
      "Successful: 6 records processed, 1 put failures, 1 dropped by validation, 1 deletions.",
    );
    expect(rec.executionResult.bytesProcessed).toBeGreaterThan(rec.executionResult.bytesWritten);
    expect(rec.executionResult.bytesWritten).toBeGreaterThan(0);
    expect(rec.dataPullStartTime).toBe(0);
    expect(rec.dataPullEndTime).toBe(T0 - source.lagMs);
  });

  it("resumes a killed runner's execution from its checkpoint: same records, no duplicates", async () => {
    seed(source, 10);
    const flow = flows.add(name);
    const hang = blockAt(3);
    source.faults.push(hang.fault);
    const a = makeRunner(db, clock, source, flows, "runner-a");
    const id = await startOnDemand(a.engine, flow);
    const zombie = a.executor.runOnce();
    await hang.reached; // runner A fetches page 3 ahead…
    await committed(a.engine, id, 6); // …commits pages 1-2, and "dies" holding its lease

    const b = makeRunner(db, clock, source, flows, "runner-b");
    await b.engine.init();
    await b.executor.runOnce();
    expect((await b.engine.executions.get(db.db, id))?.status).toBe("InProgress"); // A's lease is still live

    clock.advance(31_000);
    await b.executor.runOnce();
    const row = await b.engine.executions.get(db.db, id);
    expect(row?.status).toBe("Successful");
    expect(row?.records_processed).toBe(10);
    const log = await sinkLog(db, name);
    expect(log.map((l) => l.record_id)).toEqual(ids(10));

    // The zombie wakes up: its page is fenced off by the lost lease and rolled back.
    hang.release();
    await zombie;
    expect((await sinkLog(db, name)).length).toBe(10);
    expect((await b.engine.executions.get(db.db, id))?.records_processed).toBe(10);
  });

  it("keeps one active execution per flow", async () => {
    seed(source, 4);
    const flow = flows.add(name);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    await startOnDemand(engine, flow);
    await expect(startOnDemand(engine, flow)).rejects.toMatchObject({ code: "CONFLICT" });
    await executor.runOnce();
    await startOnDemand(engine, flow); // free again once the first one ended
    await executor.runOnce();
    expect((await engine.executions.list(db.db, name)).flowExecutions.map((e) => e.executionStatus)).toEqual([
      "Successful",
      "Successful",
    ]);
  });

  it("retries transient failures with backoff from the checkpoint, and pauses on quota", async () => {
    seed(source, 8);
    source.faults.push({ atFetch: 2, error: new ConnectorError("transient", "503 Service Unavailable") });
    source.faults.push({
      atFetch: 4,
      error: new ConnectorError("quota_exhausted", "daily quota used up", { resetAt: T0 + 3_600_000 }),
    });
    const flow = flows.add(name);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    await executor.runOnce();
    let row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("InProgress");
    expect(row?.execution_message).toMatch(/^Retrying at .* \(attempt 1 of 3, 3 records processed/);
    clock.advance(10_000);
    await executor.runOnce();
    row = await engine.executions.get(db.db, id);
    expect(row?.execution_message).toMatch(/^Paused until 2025-01-01T01:00:00.000Z/);
    expect(row?.attempt).toBe(1);
    clock.set(T0 + 3_600_000);
    await executor.runOnce();
    row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Successful");
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(ids(8));
  });

  it("fails after three transient attempts, and on auth errors, with precise messages", async () => {
    seed(source, 2);
    for (const f of [1, 2, 3])
      source.faults.push({ atFetch: f, error: new ConnectorError("transient", "timeout") });
    const flow = flows.add(name);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    for (let i = 0; i < 3; i++) {
      await executor.runOnce();
      clock.advance(60_000);
    }
    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Error");
    expect(row?.execution_message).toBe(
      "Failed after 3 attempts with transient source errors; last: timeout",
    );

    source.acceptedToken = "other";
    const id2 = await startOnDemand(engine, flow);
    await executor.runOnce();
    const r2 = await engine.executions.get(db.db, id2);
    expect(r2?.status).toBe("Error");
    expect(r2?.execution_message).toBe("The source rejected the credentials: 401 invalid token");
    // What the demo and `profileflow status` print next to these messages.
    expect(failureAdvice(row!.execution_message, "fake-conn")).toMatch(/^check that the source is reachable/);
    expect(failureAdvice(r2!.execution_message, "fake-conn")).toMatch(
      /^update the connection: .*--connector-profile-name fake-conn/,
    );
  });

  it("stores a failure message quoting a vendor value with U+0000 or a lone surrogate (PostgreSQL refuses NUL)", async () => {
    seed(source, 1);
    source.faults.push({ atFetch: 1, error: new ConnectorError("config", "bad field a\u0000b \ud800") });
    const flow = flows.add(name);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    await executor.runOnce();
    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Error");
    expect(row?.execution_message).toContain("bad field a\uFFFDb \uFFFD");
  });

  it("terminates on a TerminateFlow validation without committing the page", async () => {
    seed(source, 3);
    source.records[1] = { ...source.records[1]!, data: { n: -2 } };
    const flow = flows.add(name, {
      tasks: [
        { taskType: "Map_all", sourceFields: [] },
        {
          taskType: "Validate",
          sourceFields: ["n"],
          connectorOperator: { ServiceNow: "VALIDATE_NON_NEGATIVE" },
          taskProperties: { VALIDATION_ACTION: "TerminateFlow" },
        },
      ],
    });
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    await executor.runOnce();
    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Error");
    expect(row?.execution_message).toContain(
      "Validation failed for record r02: field n failed VALIDATE_NON_NEGATIVE",
    );
    expect(await sinkLog(db, name)).toEqual([]);
  });

  it("cancels a running execution after its current page, keeping what was written", async () => {
    seed(source, 9);
    const hang = blockAt(2);
    source.faults.push(hang.fault);
    const flow = flows.add(name);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    const id = await startOnDemand(engine, flow);
    const run = executor.runOnce();
    await hang.reached;
    await committed(engine, id, 3);
    expect(await cancel(engine, name, [id, "nope"])).toEqual({ invalidExecutions: ["nope"] });
    expect((await engine.executions.get(db.db, id))?.status).toBe("CancelStarted");
    hang.release();
    await run;
    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Canceled");
    expect(row?.execution_message).toMatch(/^Canceled on request after 3 records processed/);
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(ids(3));
    await startOnDemand(engine, flow); // the flow's active slot is free
  });

  it("drains: finishes the page in flight, commits, releases the lease; a restart resumes", async () => {
    seed(source, 9);
    // The drain comes while the runner waits for its first page: that page is written, then it stops.
    // (Draining between two commits would race the runner's check of the drain against the commit.)
    const hang = blockAt(1);
    source.faults.push(hang.fault);
    const flow = flows.add(name);
    const a = makeRunner(db, clock, source, flows, "runner-a");
    const id = await startOnDemand(a.engine, flow);
    a.executor.start();
    await hang.reached;
    const drained = a.engine.drain();
    hang.release();
    await drained;
    const row = await a.engine.executions.get(db.db, id);
    expect(row?.status).toBe("InProgress");
    expect(row?.lease_owner).toBeNull();
    expect(row?.records_processed).toBe(3);
    expect(row?.execution_message).toMatch(/^Interrupted by shutdown/);

    const b = makeRunner(db, clock, source, flows, "runner-b");
    await b.engine.init(); // no clock advance needed: a drained lease is free at once
    await b.executor.runOnce();
    expect((await b.engine.executions.get(db.db, id))?.status).toBe("Successful");
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(ids(9));
  });

  it("schedules incremental pulls from firstExecutionFrom, then from the last window end", async () => {
    seed(source, 6); // r01..r06 at T0-59min .. T0-54min
    const first = T0 - 57 * 60_000; // r03 onwards
    const flow = flows.add(name, incrementalEvery5Minutes(first), "Active");
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    await activate(engine, flow);
    await executor.runOnce();
    expect(Object.keys(await sinkObjects(db, name))).toEqual(["r03", "r04", "r05", "r06"]);

    source.records.push({ id: "r07", ts: T0 + 60_000, data: { n: 7 } });
    source.records[5] = { ...source.records[5]!, ts: T0 + 90_000, data: { n: 6, changed: true } };
    clock.advance(5 * 60_000);
    await executor.runOnce();
    const objects = await sinkObjects(db, name);
    expect(Object.keys(objects)).toEqual(["r03", "r04", "r05", "r06", "r07"]);
    expect(objects["r06"]).toEqual({ n: 6, changed: true });
    const recs = (await engine.executions.list(db.db, name)).flowExecutions;
    expect(recs.map((r) => r.executionResult.recordsProcessed)).toEqual([2, 4]);
    expect(recs[1]).toMatchObject({ dataPullStartTime: first, dataPullEndTime: T0 - 1000 });
    expect(recs[0]).toMatchObject({ dataPullStartTime: T0 - 1000 - 60_000, dataPullEndTime: T0 + 299_000 });
  });

  it("never records a window that ends before it starts: the run fails with that reason, the checkpoint stays", async () => {
    // The source's clock runs an hour ahead of the engine's (the demo's vendors run 60× faster).
    const vendor = new ManualClock(T0 + 3_600_000);
    source = new FakeSource(vendor);
    seed(source, 6);
    const first = T0 - 57 * 60_000;
    const flow = flows.add(name, incrementalEvery5Minutes(first));
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    await activate(engine, flow);
    await executor.runOnce();
    const ahead = T0 + 3_600_000 - source.lagMs;
    let recs = (await engine.executions.list(db.db, name)).flowExecutions;
    expect(recs).toMatchObject([
      { executionStatus: "Successful", dataPullStartTime: first, dataPullEndTime: ahead },
    ]);
    const state = await engine.executions.syncState(db.db, name);
    expect(state.lastWindowEnd).toBe(ahead);

    // The connector's "now" falls back to a clock behind where the last run ended.
    vendor.set(T0 + 5 * 60_000);
    clock.advance(5 * 60_000);
    await executor.runOnce();
    recs = (await engine.executions.list(db.db, name)).flowExecutions;
    expect(recs).toHaveLength(2);
    const failed = recs[0]!;
    expect(failed.executionStatus).toBe("Error");
    expect(failed.executionResult.errorInfo.executionMessage).toBe(
      invertedWindowMessage({ from: ahead - source.lookbackMs, to: T0 + 5 * 60_000 - source.lagMs }),
    );
    expect(failed.executionResult.recordsProcessed).toBe(0);
    expect(failed.dataPullStartTime).toBe(ahead - source.lookbackMs);
    expect(failed.dataPullEndTime).toBeUndefined();
    for (const r of recs)
      expect(r.dataPullEndTime ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(r.dataPullStartTime!);
    const after = await engine.executions.syncState(db.db, name);
    expect(after.lastCheckpoint).toEqual(state.lastCheckpoint);
    expect(after.lastWindowEnd).toBe(ahead);
    expect(failureAdvice(failed.executionResult.errorInfo.executionMessage)).toMatch(/^nothing to repair/);

    // Once the source's clock reads right again, the next run continues from the same checkpoint.
    vendor.set(T0 + 3_600_000 + 10 * 60_000);
    source.records.push({ id: "r07", ts: T0 + 3_600_000 + 60_000, data: { n: 7 } });
    clock.advance(5 * 60_000);
    await executor.runOnce();
    recs = (await engine.executions.list(db.db, name)).flowExecutions;
    expect(recs[0]).toMatchObject({
      executionStatus: "Successful",
      dataPullStartTime: ahead - source.lookbackMs,
      dataPullEndTime: T0 + 3_600_000 + 10 * 60_000 - source.lagMs,
    });
    expect(recs[0]!.executionResult.recordsProcessed).toBe(1);
    expect(Object.keys(await sinkObjects(db, name))).toEqual(["r03", "r04", "r05", "r06", "r07"]);
  });

  it("refuses to record a planned window that ends before it starts", async () => {
    const flow = flows.add(name);
    const { engine } = makeRunner(db, clock, source, flows, "w1");
    await expect(
      engine.executions.create(db.db, {
        flowName: name,
        flowArn: flow.flowArn,
        trigger: "Scheduled",
        pullMode: "Incremental",
        windowFrom: T0,
        windowTo: T0 - 1,
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect((await engine.executions.list(db.db, name)).flowExecutions).toEqual([]);
  });

  it("suspends a scheduled flow after flowErrorDeactivationThreshold consecutive failures", async () => {
    seed(source, 2);
    const flow = flows.add(name, {
      triggerConfig: {
        triggerType: "Scheduled",
        triggerProperties: {
          Scheduled: { scheduleExpression: "rate(1 minutes)", flowErrorDeactivationThreshold: 2 },
        },
      },
    });
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1");
    await activate(engine, flow);
    source.acceptedToken = "rotated";
    await executor.runOnce();
    expect(flows.flows.get(name)?.flowStatus).toBe("Active");
    clock.advance(60_000);
    await executor.runOnce();
    const stored = flows.flows.get(name);
    expect(stored?.flowStatus).toBe("Suspended");
    expect(stored?.flowStatusMessage).toBe(
      "The flow was deactivated after 2 consecutive failed executions. Last error: The source rejected the credentials: 401 invalid token",
    );
    clock.advance(60_000);
    await executor.runOnce();
    expect((await engine.executions.list(db.db, name)).flowExecutions).toHaveLength(2);
  });

  it("reads a bounded window for a workflow step and reports its end", async () => {
    seed(source, 10);
    const flow = flows.add(name);
    const finished: unknown[] = [];
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1", {
      onFinished: (e) => {
        finished.push(e);
      },
    });
    const from = T0 - 57 * 60_000;
    const to = T0 - 53 * 60_000;
    const id = await engine.runBoundedWindow(flow, from, to);
    await executor.runOnce();
    expect(Object.keys(await sinkObjects(db, name))).toEqual(["r03", "r04", "r05", "r06"]);
    expect(finished).toEqual([
      {
        flowName: name,
        executionId: id,
        status: "Successful",
        trigger: "Window",
        windowEnd: to,
        message: expect.any(String),
      },
    ]);
    const rec = (await engine.executions.list(db.db, name)).flowExecutions[0];
    expect(rec).toMatchObject({ dataPullStartTime: from, dataPullEndTime: to });
  });
});
