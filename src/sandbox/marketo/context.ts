/** What every Marketo route needs: the shared world, the lead store and this instance's state. */
import type { ObjectStore, RecordVersion, SandboxWorld } from "../core/index.ts";
import type { BulkExportJobs } from "./bulk-export-jobs.ts";
import { formatLeadDate } from "./dates.ts";
import type { CallLimits } from "./limits.ts";
import type { TokenIssuer } from "./token-issuer.ts";

/** One Marketo instance. */
export interface MarketoContext {
  world: SandboxWorld;
  leads: ObjectStore;
  issuer: TokenIssuer;
  limits: CallLimits;
  jobs: BulkExportJobs;
  /** Daily bulk export allocation in bytes, before the rate-limit scale knob. */
  exportQuotaBytes: number;
  /** Most activities one activities page scans before returning short. */
  activityScanLimit: number;
  /** Wall ms each API call is held while counted as in flight (makes 615 reachable). */
  processingMs: number;
}

/** A lead version as Marketo shows it: the stored fields plus `createdAt`/`updatedAt` from the store. */
export function leadRecord(store: ObjectStore, v: RecordVersion): Record<string, unknown> {
  return { ...store.fields(v), createdAt: formatLeadDate(v.createdAt), updatedAt: formatLeadDate(v.stamp) };
}
