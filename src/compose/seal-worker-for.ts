import type { Config } from "../config/config.ts";
import { type SealWorker, sharedSealWorker } from "../security/kms/seal-worker.ts";

/**
 * The seal worker this process's DomainKeys computes a backfill's next values on, or null to seal
 * every value inline (`sealAhead`, docs/configuration.md). Only "on" starts it; "auto" (the default) is
 * off on both dialects. On PostgreSQL it once raised the end-to-end rate by 9–11 % (two pairs at 200k),
 * but at 1M it cost 52–55 MB of peak memory for no rate that showed (two pairs, 3,211 / 3,674 records/s
 * off against 3,488 / 3,287 on; 243–245 MB against 297–298 MB, where issue 18 asks ≤ 300), and on SQLite
 * 20–32 MB for about the same rate at 1M (docs/benchmarks.md, "GetDomain's Stats kept, not counted" and
 * "Encryption at 1M, where its CPU goes, and the seal worker's memory").
 */
export function sealWorkerFor(config: Pick<Config, "sealAhead">): SealWorker | null {
  return config.sealAhead === "on" ? sharedSealWorker : null;
}
