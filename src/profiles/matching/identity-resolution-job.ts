import type { Kysely } from "kysely";
import { refreshPlannerStatistics } from "../../db/planner-statistics.ts";
import type { Database } from "../../db/schema.ts";
import { type DomainSealer, plainSealer } from "../domain-sealer.ts";
import { domainMatchingColumn } from "../domain-settings-columns.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import { findMatches } from "./find-matches.ts";
import {
  type AutoMergingSettings,
  jobAutoMergingColumn,
  storedAutoMerging,
} from "./identity-resolution-columns.ts";
import { finishJob, getJob, updateJob } from "./identity-resolution-store.ts";
import { mergeLinked } from "./merge-linked.ts";
import { readRecords } from "./read-records.ts";

/**
 * Runs one identity resolution job of a domain (ML matching): PREPROCESSING reads every profile in
 * pages (no lock: plain reads); FIND_MATCHING links them (blocking, Fellegi–Sunter with weights
 * estimated by EM from this domain's pairs) and stores the pairs scoring ≥ MIN_MATCH_SCORE under the
 * job; MERGING (AutoMerging.Enabled) merges, in short transactions of MERGE_BATCH groups holding the
 * domain lock, the pairs above the threshold that pass the guards; COMPLETED stores the groups of the
 * job's matches, the ones GetMatches answers from then on — PARTIAL_SUCCESS instead when some profiles
 * could not be read or merged (the others were). Returns "aborted" (the job back to PENDING, to run
 * again) when `signal` fires; a failure marks the job FAILED with its message.
 */
export async function runIdentityResolutionJob(
  database: IngestDatabase,
  domainName: string,
  jobId: string,
  clock: { now(): number },
  signal?: AbortSignal,
  sealer: DomainSealer = plainSealer,
): Promise<"done" | "aborted"> {
  const { db } = database;
  const job = await getJob(db, domainName, jobId);
  if (!job || !["PENDING", "PREPROCESSING", "FIND_MATCHING", "MERGING"].includes(job.status)) return "done";
  const set = (patch: Parameters<typeof updateJob>[3]) =>
    updateJob(db, domainName, jobId, { ...patch, updated_at: clock.now() });
  try {
    const domain = await domainAutoMerging(db, domainName);
    if (!domain) return "done";
    const { autoMerging } = domain;
    // The job is one operation: the domain's boxes are fetched once (KMS's error fails it).
    const sealed = { domainName, boxes: await sealer.boxesIn(db, domainName) };
    await set({
      status: "PREPROCESSING",
      started_at: job.startedAt ?? clock.now(),
      auto_merging: autoMerging ? jobAutoMergingColumn.stringify(autoMerging) : null,
      message: null,
    });
    const failed: string[] = [];
    let failure: string | undefined;
    // Read in keyset pages (then the profiles' objects, then the matches): planned on fresh statistics.
    await refreshPlannerStatistics(db, ["profiles", "profile_objects", "rule_matches"]);
    const records = await readRecords(db, sealed, signal, failed);
    if (failed.length > 0) failure = "their stored fields could not be read";
    if (!records) return aborted();
    await set({ status: "FIND_MATCHING", reviewed: records.length });
    const linkage = await findMatches(database, sealed, jobId, records, set, signal);
    if (!linkage) return aborted();
    if (autoMerging?.Enabled) {
      await set({ status: "MERGING" });
      const merged = await mergeLinked(database, sealed, jobId, records, linkage, autoMerging, clock, signal);
      await set({ merges_done: (await getJob(db, domainName, jobId))!.mergesDone + merged.count });
      if (merged.aborted) return aborted();
      failed.push(...merged.failed);
      failure ??= merged.error;
    }
    // Some profiles failed, the others were matched (and merged): PARTIAL_SUCCESS, saying which. The
    // groups GetMatches pages through are computed now, once, and stored with the final state.
    await finishJob(db, domainName, jobId, {
      status: failed.length > 0 ? "PARTIAL_SUCCESS" : "COMPLETED",
      ended_at: clock.now(),
      message: failed.length > 0 ? partialMessage(failed, failure) : null,
      updated_at: clock.now(),
    });
    return "done";
  } catch (e) {
    await set({
      status: "FAILED",
      ended_at: clock.now(),
      message: String((e as Error).message).slice(0, 2048),
    });
    throw e;
  }

  async function aborted(): Promise<"aborted"> {
    await set({ status: "PENDING" });
    return "aborted";
  }
}

/** GetIdentityResolutionJob's Message of a PARTIAL_SUCCESS: how many profiles failed, the first ids, why. */
function partialMessage(failed: readonly string[], why: string | undefined): string {
  const ids = failed.slice(0, 5).join(", ");
  const more = failed.length > 5 ? ` and ${failed.length - 5} more` : "";
  return `${failed.length} profile(s) could not be matched (${ids}${more}): ${why ?? "unknown error"}`.slice(
    0,
    2048,
  );
}

/** The domain's stored AutoMerging settings (undefined when it has none); undefined when the domain is gone. */
async function domainAutoMerging(
  db: Kysely<Database>,
  domainName: string,
): Promise<{ autoMerging: AutoMergingSettings | undefined } | undefined> {
  const domain = await db
    .selectFrom("domains")
    .select("matching")
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  if (!domain) return undefined;
  return {
    autoMerging: domain.matching
      ? storedAutoMerging(domainMatchingColumn.parse(domain.matching)["AutoMerging"])
      : undefined,
  };
}
