import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Queryable } from "../../src/db/queryable.ts";
import type { RecordSink } from "../../src/flows/record-sink.ts";
import { lockDomainIn } from "../../src/profiles/domain-transaction.ts";
import { FakeSource } from "../flows/fake-source.ts";
import {
  createSinkTables,
  ManualClock,
  MemoryFlows,
  makeRunner,
  seed,
  sinkObjects,
  T0,
  tableSink,
} from "../flows/harness.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/**
 * Lock order on PostgreSQL. DeleteDomain (inDomainTransaction) takes the domain's advisory lock, then
 * cancels and deletes the domain's flow executions (their rows). A page's commit writes into the domain
 * through the sink, which takes the same domain lock (lockDomainIn). If the page's transaction locked its
 * execution row (the lease fence) BEFORE the sink took the domain lock, the two wait on each other and
 * PostgreSQL kills one with a deadlock error (a DeleteDomain that fails, or a page rolled back). So while
 * the sink runs, the page's transaction must not hold its execution row yet.
 */
describeEachDialect("a page's commit takes the domain lock before its execution row", (dialect) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await createSinkTables(db);
  });
  afterAll(async () => db?.destroy());

  it("the execution row is free while the sink writes (so DeleteDomain's order cannot deadlock)", async () => {
    const clock = new ManualClock(T0);
    const source = new FakeSource(clock);
    const flows = new MemoryFlows();
    seed(source, 3);
    const flow = flows.add("lock-order");
    const rowLockedDuringSink: boolean[] = [];
    const sink: RecordSink = {
      async writeBatch(tx: Queryable, batch) {
        if (dialect === "postgres") {
          // Another session (as DeleteDomain would) tries to lock the execution row right now.
          rowLockedDuringSink.push(await lockedElsewhere(db, batch.executionId));
        }
        await lockDomainIn(tx, dialect, batch.domainName);
        return tableSink.writeBatch(tx, batch);
      },
    };
    const { engine, executor } = makeRunner(db, clock, source, flows, "lock-order", { sink });
    const id = await db.db.transaction().execute((tx) => engine.startOnDemandIn(tx, flow));
    await executor.runOnce();

    expect((await engine.executions.get(db.db, id))?.status).toBe("Successful");
    expect(Object.keys(await sinkObjects(db, "lock-order"))).toEqual(["r01", "r02", "r03"]);
    if (dialect === "postgres") {
      expect(rowLockedDuringSink.length).toBeGreaterThan(0);
      expect(rowLockedDuringSink.every((locked) => !locked)).toBe(true);
    }
  });
});

/** True when another transaction holds a lock on the execution's row (FOR UPDATE NOWAIT refused). */
async function lockedElsewhere(db: TestDatabase, executionId: string): Promise<boolean> {
  try {
    await db.db.transaction().execute(async (tx) => {
      await sql`select 1 from flow_executions where execution_id = ${executionId} for update nowait`.execute(
        tx,
      );
    });
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === "55P03") return true;
    throw e;
  }
}
