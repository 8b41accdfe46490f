import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeTimer, systemTimer } from "../../src/connectors/sdk/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { DbRateBudget } from "../../src/flows/instance-limits/db-rate-budget.ts";
import { InstanceLimits, instanceKey } from "../../src/flows/instance-limits/instance-limits.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

describeEachDialect("instance limits", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await db.destroy();
  });

  /** An active execution leased by `owner` until `until` (slots count only while the lease is live). */
  async function execution(id: string, owner: string, until: number): Promise<void> {
    await db.db
      .insertInto("flow_executions")
      .values({
        execution_id: id,
        flow_name: `f-${id}`,
        flow_arn: "arn",
        status: "InProgress",
        active_flow: `f-${id}`,
        trigger_kind: "OnDemand",
        pull_mode: "Complete",
        window_from: 0,
        window_to: 1,
        since_checkpoint: null,
        checkpoint: null,
        read_done: 0,
        started_at: 0,
        last_updated_at: 0,
        finished_at: null,
        records_processed: 0,
        bytes_processed: 0,
        bytes_written: 0,
        put_failures_count: 0,
        records_dropped: 0,
        deletions_processed: 0,
        execution_message: "",
        attempt: 0,
        lease_owner: owner,
        lease_expires_at: until,
      })
      .execute();
  }

  it("shares a concurrency limit per instance, keeps a slot for incremental syncs, frees dead leases", async () => {
    const clock = new ManualClock(1_000_000);
    const limits = new InstanceLimits({ db: db.db, clock, timer: new FakeTimer(0) });
    await limits.configure("Servicenow", "https://acme.service-now.com/", {
      maxConcurrent: 2,
      requestsPerSecond: 0,
      burst: 1,
    });
    const url = "https://ACME.service-now.com";
    const entry = (id: string, backfill: boolean) => ({
      connectorType: "Servicenow",
      instanceUrl: url,
      executionId: id,
      owner: `w-${id}`,
      backfill,
    });
    for (const id of ["b1", "b2", "i1", "i2"]) await execution(id, `w-${id}`, 1_030_000);
    const b1 = await limits.enter(entry("b1", true));
    expect(b1.ok).toBe(true);
    const b2 = await limits.enter(entry("b2", true));
    expect(b2.ok).toBe(false); // the second slot is kept for incremental syncs
    const i1 = await limits.enter(entry("i1", false));
    expect(i1.ok).toBe(true);
    expect((await limits.enter(entry("i2", false))).ok).toBe(false);
    // Another instance is not affected.
    expect(
      (await limits.enter({ ...entry("i2", false), instanceUrl: "https://other.service-now.com" })).ok,
    ).toBe(true);
    if (i1.ok) await i1.leave();
    expect((await limits.enter(entry("i2", false))).ok).toBe(true);
    // b1's worker dies: once its lease expires its slot stops counting.
    await db.db
      .updateTable("flow_executions")
      .set({ lease_expires_at: 1_040_000 })
      .where("execution_id", "=", "i2")
      .execute();
    clock.advance(35_000);
    await db.db
      .updateTable("flow_executions")
      .set({ lease_expires_at: 1_070_000 })
      .where("execution_id", "=", "b2")
      .execute();
    expect((await limits.enter(entry("b2", true))).ok).toBe(true);
  });

  it("keeps N acquirers together within rate × time + burst", async () => {
    const timer = new FakeTimer(5_000_000);
    const limits = new InstanceLimits({ db: db.db, clock: timer, timer });
    await limits.configure("Zendesk", "https://acme.zendesk.com", {
      maxConcurrent: 4,
      requestsPerSecond: 10,
      burst: 3,
    });
    const key = instanceKey("Zendesk", "https://acme.zendesk.com");
    const grants: { who: string; at: number }[] = [];
    const worker = async (who: string, backfill: boolean, n: number) => {
      const budget = new DbRateBudget(db.db, key, backfill, timer);
      for (let i = 0; i < n; i++) {
        await budget.acquire();
        grants.push({ who, at: budget.lastGrantAt });
      }
    };
    await Promise.all([worker("a", true, 15), worker("b", true, 15), worker("c", true, 15)]);
    expect(grants).toHaveLength(45);
    grants.sort((x, y) => x.at - y.at);
    for (let i = 0; i < grants.length; i++) {
      for (let j = i; j < grants.length; j++) {
        const span = (grants[j]?.at ?? 0) - (grants[i]?.at ?? 0);
        expect(j - i + 1).toBeLessThanOrEqual(3 + (span * 10) / 1000 + 1e-9);
      }
    }
  });

  it("serves an incremental sync's requests before a running backfill's", async () => {
    const limits = new InstanceLimits({ db: db.db, clock: systemTimer, timer: systemTimer });
    await limits.configure("Marketo", "https://123-abc.mktorest.com", {
      maxConcurrent: 4,
      requestsPerSecond: 40,
      burst: 1,
    });
    const key = instanceKey("Marketo", "https://123-abc.mktorest.com");
    const order: string[] = [];
    const backfill = new DbRateBudget(db.db, key, true, systemTimer);
    const incremental = new DbRateBudget(db.db, key, false, systemTimer);
    let incStart!: () => void;
    const incStarted = new Promise<void>((r) => (incStart = r));
    const back = (async () => {
      for (let i = 0; i < 16; i++) {
        await backfill.acquire();
        order.push("b");
        if (i === 2) incStart();
      }
    })();
    await incStarted;
    for (let i = 0; i < 4; i++) {
      await incremental.acquire();
      order.push("i");
    }
    await back;
    // Once the incremental sync asks, the backfill waits: at most one backfill token (already in flight)
    // lands among the incremental sync's four.
    const between = order.slice(order.indexOf("i"), order.lastIndexOf("i") + 1);
    expect(between.filter((w) => w === "b").length).toBeLessThanOrEqual(1);
    expect(order.filter((w) => w === "b")).toHaveLength(16);
  });
});
