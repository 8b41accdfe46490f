import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { AuditLog } from "../../src/security/iam/audit-log.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const EVENT = {
  requestId: "req-1",
  principalArn: "arn:aws:iam::000000000000:user/u",
  action: "profile:UpdateDomain",
  resource: "arn:aws:profile:us-east-1:000000000000:domains/d",
  decision: "ImplicitDeny",
} as const;

// The audit row the edge writes is its own transaction (a refused call has no operation transaction);
// on PostgreSQL it commits asynchronously, and that setting must not leak to the connection's next use.
describeEachDialect("AuditLog.record", (dialect) => {
  let db: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => db?.destroy());

  it("writes the row outside any transaction, and the connection keeps its synchronous_commit", async () => {
    const audit = new AuditLog(clock);
    await db.db.connection().execute(async (c) => {
      await audit.record(c, EVENT);
      if (dialect === "postgres") {
        const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(c);
        expect(rows[0]?.synchronous_commit).toBe("on");
      }
    });
    const { events } = await audit.list(db.db, { limit: 10 });
    expect(events).toEqual([expect.objectContaining({ ...EVENT, at: clock.now() })]);
  });

  it("inside a caller's transaction the row commits, or rolls back, with it", async () => {
    const audit = new AuditLog(clock);
    const event = { ...EVENT, requestId: "in-tx" };
    await db.db
      .transaction()
      .execute(async (tx) => {
        await audit.record(tx, event);
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect((await audit.list(db.db, { limit: 10 })).events.map((e) => e.requestId)).not.toContain("in-tx");
    await db.db.transaction().execute((tx) => audit.record(tx, event));
    expect((await audit.list(db.db, { limit: 10 })).events.map((e) => e.requestId)).toContain("in-tx");
  });
});
