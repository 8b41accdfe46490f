import { hostname } from "node:os";
import { type Kysely, sql } from "kysely";
import type { Clock } from "../../core/clock.ts";
import type { Database } from "../../db/schema.ts";
import { queueSchema } from "./job-sql.ts";

/**
 * Liveness of PostgreSQL workers. graphile-worker frees a dead worker's locks only after four hours;
 * we free them as soon as its heartbeat row is `ttlMs` old (`force_unlock_workers`), so its queues
 * (one per flow) do not stay blocked. The execution itself is resumed by the engine's lease sweep.
 */
export class WorkerRegistry {
  constructor(
    readonly db: Kysely<Database>,
    readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /** Records a worker (pool) as alive now. */
  async beat(workerId: string, owner: string, concurrency: number): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto("executor_workers")
      .values({
        worker_id: workerId,
        owner,
        host: hostname(),
        pid: process.pid,
        concurrency,
        started_at: now,
        last_seen_at: now,
      })
      .onConflict((oc) => oc.column("worker_id").doUpdateSet({ last_seen_at: now }))
      .execute();
  }

  /** Removes a worker that stopped cleanly. */
  async leave(workerId: string): Promise<void> {
    await this.db.deleteFrom("executor_workers").where("worker_id", "=", workerId).execute();
  }

  /** Frees the queue locks of workers whose heartbeat is older than the TTL; returns their ids. */
  async reapDead(self: string): Promise<string[]> {
    const cutoff = this.clock.now() - this.ttlMs;
    return this.db.transaction().execute(async (tx) => {
      const dead = await tx
        .deleteFrom("executor_workers")
        .where("last_seen_at", "<", cutoff)
        .where("worker_id", "!=", self)
        .returning("worker_id")
        .execute();
      const ids = dead.map((d) => d.worker_id);
      if (ids.length > 0) {
        await sql`select ${sql.id(queueSchema, "force_unlock_workers")}(${ids}::text[])`.execute(tx);
      }
      return ids;
    });
  }

  /** Live workers (for metrics and `profileflow worker` status lines). */
  async live(): Promise<
    { worker_id: string; owner: string; host: string; pid: number; concurrency: number }[]
  > {
    return this.db
      .selectFrom("executor_workers")
      .select(["worker_id", "owner", "host", "pid", "concurrency"])
      .where("last_seen_at", ">=", this.clock.now() - this.ttlMs)
      .execute();
  }
}
