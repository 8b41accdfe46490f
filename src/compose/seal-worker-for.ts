import type { Config } from "../config/config.ts";
import type { DialectName } from "../db/dialect.ts";
import { sharedIdleSealer } from "../security/kms/idle-sealer.ts";
import { type SealAhead, sharedSealWorker } from "../security/kms/seal-worker.ts";

/**
 * What this process's DomainKeys computes a backfill's next values on, or null to seal every value
 * inline (`sealAhead`, docs/configuration.md): "on" a worker thread, "idle" this thread in the turns it
 * would wait for its database (IdleSealer). "auto" is TBD on PostgreSQL and inline on SQLite, whose
 * statements run on the main thread: pages reach a worker only between parts, so 21–25 MB bought −2 to
 * +9 % at 200k and 20–32 MB about nothing at 1M (one clean pair; docs/benchmarks.md, "Encryption at 1M,
 * where its CPU goes, and the seal worker's memory"), and the main thread has no turns to spare.
 */
export function sealWorkerFor(config: Pick<Config, "sealAhead">, dialect: DialectName): SealAhead | null {
  const mode = config.sealAhead === "auto" ? (dialect === "postgres" ? "on" : "off") : config.sealAhead;
  return mode === "on" ? sharedSealWorker : mode === "idle" ? sharedIdleSealer : null;
}
