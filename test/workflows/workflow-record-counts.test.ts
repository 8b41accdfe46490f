import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { projectMigrator } from "../../src/db/migrate.ts";
import type { Database } from "../../src/db/schema.ts";
import type { FlowDefinition } from "../../src/flows/flow-definition.ts";
import { WorkflowStore } from "../../src/flows/workflows/workflow-store.ts";
import { describeEachDialect, openTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const store = new WorkflowStore({ now: () => 1_700_000_000_000 });

async function newWorkflow(db: Kysely<Database>, workflowId: string): Promise<void> {
  await store.insert(db, {
    workflowId,
    domainName: "counts",
    workflowType: "APPFLOW_INTEGRATION",
    status: "IN_PROGRESS",
    errorDescription: undefined,
    objectTypeName: "Contact",
    roleArn: "arn:aws:iam::123456789012:role/wf",
    connectorType: "Salesforce",
    connectorProfileName: "sf",
    flowDefinition: { flowName: "f" } as unknown as FlowDefinition,
    tags: undefined,
    integrationUri: undefined,
    historyEnd: 0,
  });
}

const counts = async (db: Kysely<Database>, workflowId: string) => ({
  workflow: await store.recordsOfWorkflow(db, workflowId),
  byFlow: Object.fromEntries(await store.recordsByStep(db, workflowId)),
});

// GetWorkflow's and GetWorkflowSteps' RecordsProcessed are counts kept as records are noted, not a
// count of every record per request (which grew with the workflow: 69 ms per GetWorkflow at 1M on SQLite).
describeEachDialect("a workflow's distinct records, kept as counts", (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await openTestDatabase(dialect);
  });
  afterEach(async () => t?.destroy());

  it("counts each record once per flow and once per workflow, across pages, repeats and steps", async () => {
    const db = t.db;
    await newWorkflow(db, "w1");
    await newWorkflow(db, "w2");
    await store.noteRecords(db, "w1", "w1-batch-1", ["a", "b", "b", "c"]);
    expect(await counts(db, "w1")).toEqual({ workflow: 3, byFlow: { "w1-batch-1": 3 } });
    // A page read again (a resumed group) and one new record.
    await store.noteRecords(db, "w1", "w1-batch-1", ["c", "a", "d"]);
    expect(await counts(db, "w1")).toEqual({ workflow: 4, byFlow: { "w1-batch-1": 4 } });
    // The next step sees a record the first one did (updated later): counted for its flow, once for the workflow.
    await store.noteRecords(db, "w1", "w1-batch-2", ["d", "e"]);
    expect(await counts(db, "w1")).toEqual({ workflow: 5, byFlow: { "w1-batch-1": 4, "w1-batch-2": 2 } });
    // More than one insert's worth (500) in one call.
    const many = Array.from({ length: 1_203 }, (_, i) => `m${i}`);
    await store.noteRecords(db, "w1", "w1-batch-2", [...many, "a"]);
    expect(await counts(db, "w1")).toEqual({
      workflow: 5 + 1_203,
      byFlow: { "w1-batch-1": 4, "w1-batch-2": 2 + 1_203 + 1 },
    });
    // Another workflow's records are its own.
    await store.noteRecords(db, "w2", "w2-batch-1", ["a", "b"]);
    expect(await counts(db, "w2")).toEqual({ workflow: 2, byFlow: { "w2-batch-1": 2 } });
    // Inside a transaction that rolls back, nothing is counted.
    await db
      .transaction()
      .execute(async (tx) => {
        await store.noteRecords(tx, "w2", "w2-batch-1", ["z"]);
        throw new Error("rolled back");
      })
      .catch(() => {});
    expect(await counts(db, "w2")).toEqual({ workflow: 2, byFlow: { "w2-batch-1": 2 } });
    await db.transaction().execute((tx) => store.delete(tx, "w1"));
    expect(await counts(db, "w1")).toEqual({ workflow: 0, byFlow: {} });
    for (const table of ["workflow_records", "workflow_record_tallies", "workflow_step_records"]) {
      const left = await sql<{
        n: number;
      }>`select count(*) as n from ${sql.table(table)} where workflow_id = 'w1'`.execute(db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    }
    expect(await counts(db, "w2")).toEqual({ workflow: 2, byFlow: { "w2-batch-1": 2 } });
  });

  // PostgreSQL runs pages of different steps in concurrent transactions (SQLite has one writer).
  it.skipIf(dialect === "sqlite")(
    "concurrent pages count a shared record once, and not at all when the page that noted it rolls back",
    async () => {
      const db = t.db;
      await newWorkflow(db, "c");
      // A transaction held open after noting records, until `end` says commit or roll back.
      const held = (flow: string, ids: string[]) => {
        let end!: (commit: boolean) => void;
        const ended = new Promise<boolean>((r) => {
          end = r;
        });
        let noted!: () => void;
        const ready = new Promise<void>((r) => {
          noted = r;
        });
        const done = db
          .transaction()
          .execute(async (tx) => {
            await store.noteRecords(tx, "c", flow, ids);
            noted();
            if (!(await ended)) throw new Error("rolled back");
          })
          .catch((e: Error) => {
            if (e.message !== "rolled back") throw e;
          });
        return { ready, end, done };
      };
      const first = held("c-batch-1", ["a", "b"]);
      await first.ready;
      // The second page's "b" waits for the first page's uncommitted one, then conflicts with it.
      const second = held("c-batch-2", ["b", "c"]);
      first.end(true);
      await first.done;
      await second.ready;
      second.end(true);
      await second.done;
      expect(await counts(db, "c")).toEqual({ workflow: 3, byFlow: { "c-batch-1": 2, "c-batch-2": 2 } });
      // A page that rolls back: the one waiting on its record inserts and counts it.
      const third = held("c-batch-3", ["d"]);
      await third.ready;
      const fourth = held("c-batch-4", ["d"]);
      third.end(false);
      await third.done;
      await fourth.ready;
      fourth.end(true);
      await fourth.done;
      expect(await counts(db, "c")).toEqual({
        workflow: 4,
        byFlow: { "c-batch-1": 2, "c-batch-2": 2, "c-batch-4": 1 },
      });
    },
  );

  it.skipIf(dialect === "sqlite")(
    "DeleteWorkflow's rows go without waiting for a page that is still noting records (no lock taken on them)",
    async () => {
      const db = t.db;
      await newWorkflow(db, "d");
      await store.noteRecords(db, "d", "d-batch-1", ["a"]);
      let end!: () => void;
      const ended = new Promise<void>((r) => {
        end = r;
      });
      let noted!: () => void;
      const ready = new Promise<void>((r) => {
        noted = r;
      });
      const page = db.transaction().execute(async (tx) => {
        await store.noteRecords(tx, "d", "d-batch-1", ["b"]);
        noted();
        await ended;
      });
      await ready;
      // Waiting for a row the page holds would fail here after 2 s instead of hanging.
      try {
        await db.transaction().execute(async (tx) => {
          await sql`set local lock_timeout = '2s'`.execute(tx);
          await store.delete(tx, "d");
        });
      } finally {
        end();
        await page;
      }
      expect((await counts(db, "d")).workflow).toBe(1);
    },
  );

  it("the migration counts what workflows noted before it", async () => {
    const db = t.db;
    const migrator = projectMigrator(db);
    // Back to before the counts: the tallies as an earlier release wrote them.
    const down = await migrator.migrateTo("0320_execution_checkpoint_at");
    expect(down.error).toBeUndefined();
    await newWorkflow(db, "old");
    await newWorkflow(db, "untouched");
    const rows = (
      [
        ["old-batch-1", "a"],
        ["old-batch-1", "b"],
        ["old-batch-2", "b"],
        ["old-batch-2", "c"],
      ] as const
    ).map(([flow_name, record_id]) => ({ flow_name, record_id, workflow_id: "old" }));
    await db.insertInto("workflow_step_records").values(rows).execute();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toContain("0330_workflow_record_counts");
    expect(await counts(db, "old")).toEqual({ workflow: 3, byFlow: { "old-batch-1": 2, "old-batch-2": 2 } });
    expect(await counts(db, "untouched")).toEqual({ workflow: 0, byFlow: {} });
    // And counting goes on from there.
    await store.noteRecords(db, "old", "old-batch-2", ["a", "d"]);
    expect(await counts(db, "old")).toEqual({ workflow: 4, byFlow: { "old-batch-1": 2, "old-batch-2": 4 } });
  });
});
