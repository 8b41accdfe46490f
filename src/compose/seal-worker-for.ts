import type { Config } from "../config/config.ts";
import type { DialectName } from "../db/dialect.ts";
import { type SealWorker, sharedSealWorker } from "../security/kms/seal-worker.ts";

/**
 * The seal worker this process's DomainKeys computes a backfill's next values on, or null to seal
 * every value inline (`sealAhead`, docs/configuration.md). "auto" starts it on PostgreSQL only. There the
 * server's thread waits for the database about a quarter of the time, so pages sealed meanwhile raised the
 * end-to-end rate by 9–11 % for 28–35 MB of peak memory (the worker's heap and its malloc arena). On SQLite,
 * whose statements run on the main thread, pages reach the worker only between parts: 20–25 MB bought −2
 * to +9 % at 200k, and 32 MB nothing at 1M (docs/benchmarks.md, "Encryption at 1M, where its CPU goes, and
 * the seal worker's memory").
 */
export function sealWorkerFor(config: Pick<Config, "sealAhead">, dialect: DialectName): SealWorker | null {
  const on = config.sealAhead === "on" || (config.sealAhead === "auto" && dialect === "postgres");
  return on ? sharedSealWorker : null;
}
