import { sql } from "kysely";
import { afterAll, beforeAll, describe } from "vitest";
import { systemClock } from "../../src/core/clock.ts";
import { EmbeddedExecutor } from "../../src/flows/embedded/embedded-executor.ts";
import { PostgresExecutor } from "../../src/flows/postgres/postgres-executor.ts";
import {
  describeEachDialect,
  openTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from "../helpers/test-database.ts";
import { type ExecutorUnderTest, executorContract } from "./executor-contract.ts";

describeEachDialect("executor contract: embedded", (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await db.destroy();
  });
  const adapter = (): ExecutorUnderTest => ({
    make: (id, o = {}) =>
      new EmbeddedExecutor({
        db: db.db,
        clock: o.clock ?? systemClock,
        workerId: id,
        concurrency: 4,
        pollIntervalMs: 5,
        ...(o.ttlMs !== undefined ? { lockTtlMs: o.ttlMs } : {}),
        ...(o.heartbeatMs !== undefined ? { heartbeatIntervalMs: o.heartbeatMs } : {}),
      }),
    failed: async () =>
      (
        await db.db
          .selectFrom("executor_jobs")
          .select(["task", "last_error"])
          .where("failed_at", "is not", null)
          .execute()
      ).map((r) => ({ task: r.task, lastError: r.last_error })),
  });
  executorContract(() => db, adapter);
});

(postgresAvailable ? describe : describe.skip)("executor contract: postgres (graphile-worker)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await db.destroy();
  });
  const adapter = (): ExecutorUnderTest => ({
    make: (id, o = {}) =>
      new PostgresExecutor({
        db: db.db,
        pool: db.pool!,
        clock: o.clock ?? systemClock,
        workerId: id,
        concurrency: 4,
        pollIntervalMs: 50,
        ...(o.ttlMs !== undefined ? { workerTtlMs: o.ttlMs } : {}),
        ...(o.heartbeatMs !== undefined ? { heartbeatIntervalMs: o.heartbeatMs } : {}),
      }),
    failed: async () => {
      const r = await sql<{ task: string; last_error: string | null }>`
        select task_identifier as task, last_error from graphile_worker.jobs
        where attempts >= max_attempts and locked_at is null`.execute(db.db);
      return r.rows.map((x) => ({ task: x.task, lastError: x.last_error }));
    },
  });
  executorContract(() => db, adapter);
});
