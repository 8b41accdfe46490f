import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Queryable } from "../../src/db/queryable.ts";
import type { FlowEngine } from "../../src/flows/flow-engine.ts";
import type { RecordSink, SinkBatch } from "../../src/flows/record-sink.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { FakeSource } from "./fake-source.ts";
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

/** Parts of one record each: the budget is far below any record's cost. */
const ONE_RECORD_PARTS = { aloneMs: 0.001, sharedMs: 0.001, busyMs: 0.001, minRecords: 1 };

interface Call {
  records: number;
  partLimit: number | undefined;
  consumed: number;
  /** The execution's committed count when the call began: a part must not move it. */
  committedBefore: number;
}

/**
 * A sink that honours `partLimit` and writes a record it already holds unchanged as a no-op (the
 * RecordSink contract for parts), logging each write: a record written twice shows in the log.
 */
function partSink(calls: Call[], before?: (tx: Queryable, call: number) => Promise<void>) {
  const sink: RecordSink = {
    async writeBatch(tx, batch: SinkBatch) {
      const committed = await sql<{ n: number }>`
        select records_processed as n from flow_executions where execution_id = ${batch.executionId}`.execute(
        tx,
      );
      await before?.(tx, calls.length + 1);
      const consumed = Math.min(batch.partLimit ?? batch.records.length, batch.records.length);
      const flow = batch.flow.definition.flowName;
      const failed = [];
      let bytes = 0;
      for (const r of batch.records.slice(0, consumed)) {
        if (r.data["bad"] === true) {
          failed.push({ recordId: r.id, data: r.data, code: "MAPPING_FAILED", message: "bad record" });
          continue;
        }
        const data = JSON.stringify(r.data);
        const stored = await sql<{ data: string }>`
          select data from test_sink_objects where flow_name = ${flow} and record_id = ${r.id}`.execute(tx);
        if (stored.rows[0]?.data === data) continue;
        bytes += Buffer.byteLength(data);
        await sql`insert into test_sink_log values (${flow}, ${r.id}, ${r.sourceTimestamp}, 'put')`.execute(
          tx,
        );
        await sql`insert into test_sink_objects values (${flow}, ${r.id}, ${data})
          on conflict (flow_name, record_id) do update set data = excluded.data`.execute(tx);
      }
      if (consumed === batch.records.length) {
        for (const d of batch.deletions) {
          await sql`insert into test_sink_log values (${flow}, ${d.id}, ${d.deletedAt}, 'delete')`.execute(
            tx,
          );
        }
      }
      calls.push({
        records: batch.records.length,
        partLimit: batch.partLimit,
        consumed,
        committedBefore: Number(committed.rows[0]?.n ?? 0),
      });
      return { accepted: consumed - failed.length, bytesWritten: bytes, failed, consumed };
    },
  };
  return sink;
}

describeEachDialect("a page group committed in parts", (dialect) => {
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
    name = `parts-${++n}`;
  });

  const start = (engine: FlowEngine) =>
    db.db.transaction().execute((tx) => engine.startOnDemandIn(tx, flows.flows.get(name)!));

  it("commits each record alone, the checkpoint and counts with a group's last part only", async () => {
    seed(source, 7);
    source.records[1] = { ...source.records[1]!, data: { n: 2, bad: true } };
    source.deletions.push({ id: "gone-1", deletedAt: T0 - 2000 });
    flows.add(name);
    const calls: Call[] = [];
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1", {
      sink: partSink(calls),
      commitBudget: ONE_RECORD_PARTS,
    });
    const id = await start(engine);
    await executor.runOnce();

    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Successful");
    expect(row?.records_processed).toBe(7);
    expect(row?.put_failures_count).toBe(1);
    expect((await sinkLog(db, name)).map((l) => `${l.op}:${l.record_id}`)).toEqual([
      "put:r01",
      "put:r03",
      "put:r04",
      "put:r05",
      "put:r06",
      "put:r07",
      "delete:gone-1",
    ]);
    // Every call but a group's last asked for one record; the count only ever moved by whole groups.
    const parts = calls.filter((c) => c.partLimit !== undefined);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const c of parts) expect(c.partLimit).toBe(1);
    for (const c of calls) expect([0, 3, 6, 7]).toContain(c.committedBefore);
  });

  it("a runner lost between two parts: the next one reads the group again, each record written once, counted once", async () => {
    seed(source, 6);
    source.records[0] = { ...source.records[0]!, data: { n: 1, bad: true } };
    flows.add(name);
    const callsA: Call[] = [];
    // Runner A commits the first group's first two parts (r01 failed, r02 written), then loses its
    // lease inside the third: that part rolls back, and A stops without touching the execution.
    const a = makeRunner(db, clock, source, flows, "runner-a", {
      sink: partSink(callsA, async (tx, call) => {
        if (call === 3) await sql`update flow_executions set lease_owner = 'runner-b-took-over'`.execute(tx);
      }),
      commitBudget: ONE_RECORD_PARTS,
    });
    const id = await start(a.engine);
    await a.executor.runOnce();
    expect(callsA).toHaveLength(3);
    expect(await sinkObjects(db, name)).toEqual({ r02: { n: 2, email: "u2@x.io" } });
    const lost = await a.engine.executions.get(db.db, id);
    expect(lost?.records_processed).toBe(0);
    expect(lost?.status).toBe("InProgress");

    // The lease lapses; runner B resumes from the checkpoint (none yet): the group is read again.
    await sql`update flow_executions set lease_owner = null, lease_expires_at = 0`.execute(db.db);
    const callsB: Call[] = [];
    const b = makeRunner(db, clock, source, flows, "runner-b", {
      sink: partSink(callsB),
      commitBudget: ONE_RECORD_PARTS,
    });
    await b.engine.init();
    await b.executor.runOnce();
    const row = await b.engine.executions.get(db.db, id);
    expect(row?.status).toBe("Successful");
    expect(row?.records_processed).toBe(6);
    // r01 failed in A's first part and again in B's: counted once, with the group B committed.
    expect(row?.put_failures_count).toBe(1);
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(["r02", "r03", "r04", "r05", "r06"]);
    expect(callsB[0]?.records).toBe(3); // the first group again, whole
  });

  it("a cancel between two parts lets the group end, counted, and stops the run after it", async () => {
    seed(source, 6);
    flows.add(name);
    const calls: Call[] = [];
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1", {
      // CancelFlowExecutions arrives while the first group's second part is written.
      sink: partSink(calls, async (tx, call) => {
        if (call === 2) await sql`update flow_executions set status = 'CancelStarted'`.execute(tx);
      }),
      commitBudget: ONE_RECORD_PARTS,
    });
    const id = await start(engine);
    await executor.runOnce();
    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Canceled");
    expect(row?.records_processed).toBe(3);
    expect(row?.execution_message).toMatch(/^Canceled on request after 3 records processed/);
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(["r01", "r02", "r03"]);
  });

  it("a sink that takes every record (it cannot replay) gets the group in one transaction", async () => {
    seed(source, 5);
    flows.add(name);
    const calls: Call[] = [];
    const inner = partSink(calls);
    const { engine, executor } = makeRunner(db, clock, source, flows, "w1", {
      // Ignores partLimit, as the sink of an object type without a UNIQUE key does.
      sink: { writeBatch: (tx, batch) => inner.writeBatch(tx, { ...batch, partLimit: undefined }) },
      commitBudget: ONE_RECORD_PARTS,
    });
    const id = await start(engine);
    await executor.runOnce();
    expect((await engine.executions.get(db.db, id))?.records_processed).toBe(5);
    expect(calls.map((c) => c.records).filter((r) => r > 0)).toEqual([3, 2]);
    expect((await sinkLog(db, name)).map((l) => l.record_id)).toEqual(["r01", "r02", "r03", "r04", "r05"]);
  });
});
