import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeTimer } from "../../src/connectors/sdk/index.ts";
import { servicenow } from "../../src/connectors/servicenow/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import { FlowEngine } from "../../src/flows/flow-engine.ts";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { admin, START, sandbox, truth } from "../connectors/servicenow/harness.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { createSinkTables, MemoryFlows, sinkLog, sinkObjects, tableSink } from "./harness.ts";

describeEachDialect("flow engine on the real ServiceNow connector", (dialect) => {
  let db: TestDatabase;
  let sb: ServiceNowSandbox;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    await createSinkTables(db);
    sb = await sandbox(300);
  });
  afterAll(async () => {
    await sb.close();
    await db.destroy();
  });

  it("ingests exactly the sandbox's ground truth of a window; a deletion reaches the sink", async () => {
    const clock = new ManualClock(START);
    const timer = new FakeTimer(sb.world.clock.now(), (ms) => sb.world.clock.advance(ms));
    const executor = new EmbeddedExecutor({ db: db.db, clock, workerId: "sn" });
    const flows = new MemoryFlows();
    const engine = new FlowEngine({
      db: db.db,
      clock,
      executor,
      sink: tableSink,
      flows,
      connectors: { Servicenow: servicenow },
      credentials: {
        resolve: async () => ({
          instanceUrl: sb.url,
          credentials: {
            kind: "basic",
            username: sb.credentials.username,
            password: sb.credentials.password,
          },
        }),
      },
      timer,
    });
    const flow = flows.add("sn-users");
    const from = sb.world.historyStart;
    const id = await engine.runBoundedWindow(flow, from, START);
    await executor.runOnce();

    const row = await engine.executions.get(db.db, id);
    expect(row?.status).toBe("Successful");
    const puts = await sql<{ record_id: string; ts: number }>`
      select record_id, ts from test_sink_log where flow_name = 'sn-users' and op = 'put'`.execute(db.db);
    const got = puts.rows.map((r) => `${r.record_id}@${Number(r.ts)}`).sort();
    const expected = await truth(sb, "sys_user", from, START);
    expect(expected.length).toBeGreaterThan(50);
    expect(got).toEqual(expected);
    expect(row?.records_processed).toBe(expected.length);
    expect(row?.put_failures_count).toBe(0);

    // A user deleted at the source reaches the sink as a delete event in the next window.
    const userId = expected[0]!.split("@")[0]!;
    expect(Object.keys(await sinkObjects(db, "sn-users"))).toContain(userId);
    await admin(sb, "DELETE", `records/sys_user/${userId}`);
    sb.world.clock.advance(120_000); // past the connector's one-minute lag
    clock.set(START + 120_000);
    const id2 = await engine.runBoundedWindow(flow, START, START + 90_000);
    await executor.runOnce();
    const row2 = await engine.executions.get(db.db, id2);
    expect(row2?.status).toBe("Successful");
    expect(row2?.execution_message).toBe(
      "Successful: 0 records processed, 0 put failures, 0 dropped by validation, 1 deletions.",
    );
    expect(await sinkLog(db, "sn-users")).toContainEqual({ record_id: userId, op: "delete" });
    expect(Object.keys(await sinkObjects(db, "sn-users"))).not.toContain(userId);
  });
});
