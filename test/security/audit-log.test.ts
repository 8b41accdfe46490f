import { type KyselyPlugin, type RootOperationNode, sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import type { Queryable } from "../../src/db/queryable.ts";
import { AuditLog, mayCommitAsync } from "../../src/security/iam/audit-log.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const EVENT = {
  requestId: "req-1",
  principalArn: "arn:aws:iam::000000000000:user/u",
  action: "profile:UpdateDomain",
  resource: "arn:aws:profile:us-east-1:000000000000:domains/d",
  decision: "ImplicitDeny",
} as const;

/** `db` with every query it runs kept in `seen` (their nodes, as JSON). */
function capturing(db: Queryable, seen: string[]): Queryable {
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }): RootOperationNode => {
      seen.push(JSON.stringify(node));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return db.withPlugin(plugin);
}

// The audit row the edge writes is its own transaction (recordOwn: a refused call has no operation
// transaction); on PostgreSQL it commits asynchronously unless the call was allowed and stores nothing
// (a KMS Decrypt), and that setting must not leak to the connection's next use. A workflow's rows are
// plain inserts in the caller's transaction (recordIn).
describeEachDialect("AuditLog", (dialect) => {
  let db: TestDatabase;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => db?.destroy());
  const requestIds = async (audit: AuditLog) =>
    (await audit.list(db.db, { limit: 100 })).events.map((e) => e.requestId);

  // What this covers: the row is written and readable with no transaction around it, and on PostgreSQL
  // the statement's `set_config('synchronous_commit', 'off', true)` is local to its own transaction — the
  // connection handed back to the pool still commits synchronously. (That the commit itself did not wait
  // for the WAL flush is PostgreSQL's documented behaviour of the setting, not measured here.)
  it("recordOwn writes the row as its own transaction; the connection keeps its synchronous_commit", async () => {
    const audit = new AuditLog(clock);
    await db.db.connection().execute(async (c) => {
      await audit.recordOwn(c, EVENT);
      if (dialect === "postgres") {
        const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(c);
        expect(rows[0]?.synchronous_commit).toBe("on");
      }
    });
    const { events } = await audit.list(db.db, { limit: 10 });
    expect(events).toEqual([expect.objectContaining({ ...EVENT, at: clock.now() })]);
  });

  it("recordOwn refuses a transaction: its row would commit, and commit asynchronously, with the caller's", async () => {
    const audit = new AuditLog(clock);
    const e = await db.db
      .transaction()
      .execute((tx) => audit.recordOwn(tx, { ...EVENT, requestId: "own-in-tx" }))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).toBeInstanceOf(TypeError);
    expect(await requestIds(audit)).not.toContain("own-in-tx");
  });

  it("an allowed call that stores nothing (kms:Decrypt) commits its row synchronously; a refused one may not wait", async () => {
    expect(mayCommitAsync({ action: "kms:Decrypt", decision: "Allow" })).toBe(false);
    expect(mayCommitAsync({ action: "kms:GenerateDataKey", decision: "Allow" })).toBe(false);
    expect(mayCommitAsync({ action: "kms:ReEncryptFrom", decision: "Allow" })).toBe(false);
    expect(mayCommitAsync({ action: "kms:Decrypt", decision: "ImplicitDeny" })).toBe(true);
    expect(mayCommitAsync({ action: "profile:UpdateDomain", decision: "Allow" })).toBe(true);
    const audit = new AuditLog(clock);
    const decrypt = { ...EVENT, action: "kms:Decrypt", resource: "arn:aws:kms:us-east-1:000000000000:key/k" };
    const allowed: string[] = [];
    await audit.recordOwn(capturing(db.db, allowed), {
      ...decrypt,
      requestId: "decrypt-allowed",
      decision: "Allow",
    });
    const refused: string[] = [];
    await audit.recordOwn(capturing(db.db, refused), { ...decrypt, requestId: "decrypt-refused" });
    expect(allowed.some((q) => q.includes("synchronous_commit"))).toBe(false);
    expect(refused.some((q) => q.includes("synchronous_commit"))).toBe(dialect === "postgres");
    expect(await requestIds(audit)).toEqual(expect.arrayContaining(["decrypt-allowed", "decrypt-refused"]));
  });

  it("recordIn inside a caller's transaction: the row commits, or rolls back, with it", async () => {
    const audit = new AuditLog(clock);
    const event = { ...EVENT, requestId: "in-tx" };
    await db.db
      .transaction()
      .execute(async (tx) => {
        await audit.recordIn(tx, event);
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect(await requestIds(audit)).not.toContain("in-tx");
    const seen: string[] = [];
    await db.db.transaction().execute((tx) => audit.recordIn(capturing(tx, seen), event));
    expect(await requestIds(audit)).toContain("in-tx");
    expect(seen.some((q) => q.includes("synchronous_commit"))).toBe(false);
  });
});
