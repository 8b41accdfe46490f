import type { Config } from "../config/config.ts";
import type { DialectName } from "../db/dialect.ts";
import { type SealWorker, sharedSealWorker } from "../security/kms/seal-worker.ts";

/**
 * The seal worker this process's DomainKeys computes a backfill's next values on, or null to seal
 * every value inline (`sealAhead`, docs/configuration.md). "auto" starts it on PostgreSQL only. There the
 * server's thread waits for the database (docs/benchmarks.md, "Sealing ahead"), so pages sealed meanwhile
 * raised the end-to-end rate by 9–11 % for 28–35 MB of peak memory (two pairs at 200k; the worker's heap and
 * its malloc arena). On SQLite, whose statements run on the main thread, pages reach the worker only between
 * parts: 21–25 MB bought −2 to +9 % at 200k, and 20–32 MB about nothing at 1M (one clean pair;
 * docs/benchmarks.md, "Encryption at 1M, where its CPU goes, and the seal worker's memory").
 */
export function sealWorkerFor(config: Pick<Config, "sealAhead">, dialect: DialectName): SealWorker | null {
  const on = config.sealAhead === "on" || (config.sealAhead === "auto" && dialect === "postgres");
  return on ? sharedSealWorker : null;
}
