import { randomBytes } from "node:crypto";
import type { Kysely, Updateable } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { IdentityResolutionJobStatus, IdentityResolutionJobsTable } from "../../db/schema/matching.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, insertMany } from "../bulk.ts";
import {
  type AutoMergingSettings,
  jobAutoMergingColumn,
  type MlMatchDetail,
  mlMatchDetailColumn,
} from "./identity-resolution-columns.ts";
import { jobMatchGroups, storeMatchGroups } from "./stored-match-groups.ts";

/** IdentityResolutionJobStatus. */
export type JobStatus = IdentityResolutionJobStatus;

/** An identity resolution job as stored. */
export interface IdentityResolutionJob {
  domainName: string;
  jobId: string;
  status: JobStatus;
  message?: string;
  autoMerging?: AutoMergingSettings;
  reviewed: number;
  matchesFound: number;
  mergesDone: number;
  /** The groups of its matches stored when it finished (PotentialMatches); absent until then. */
  matchGroups?: number;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  updatedAt: number;
}

/** One pair an identity resolution job found. */
export interface MlMatch {
  matchId: string;
  profileA: string;
  profileB: string;
  score: number;
  detail: MlMatchDetail;
}

/** A job id: 32 hex digits, the creation time first, so ids sort by creation (newest last). */
export function newJobId(now: number): string {
  return now.toString(16).padStart(12, "0").slice(-12) + randomBytes(10).toString("hex");
}

/** Records a new PENDING job. */
export async function insertJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  autoMerging: AutoMergingSettings | undefined,
  now: number,
): Promise<void> {
  await db
    .insertInto("identity_resolution_jobs")
    .values({
      domain_name: domainName,
      job_id: jobId,
      status: "PENDING",
      message: null,
      auto_merging: autoMerging ? jobAutoMergingColumn.stringify(autoMerging) : null,
      reviewed: 0,
      matches_found: 0,
      merges_done: 0,
      match_groups: null,
      model: null,
      created_at: now,
      started_at: null,
      ended_at: null,
      updated_at: now,
    })
    .execute();
}

/** Updates a job's row. */
export async function updateJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  patch: Updateable<IdentityResolutionJobsTable>,
): Promise<void> {
  await db
    .updateTable("identity_resolution_jobs")
    .set(patch)
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .execute();
}

/** A job, or undefined. */
export async function getJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<IdentityResolutionJob | undefined> {
  const row = await db
    .selectFrom("identity_resolution_jobs")
    .selectAll()
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .executeTakeFirst();
  return row ? jobOf(row) : undefined;
}

/** A page of the domain's jobs, newest first, after the job id `after`. */
export async function listJobs(
  db: Kysely<Database>,
  domainName: string,
  page: { after?: string | undefined; limit: number },
): Promise<{ items: IdentityResolutionJob[]; more: boolean }> {
  let q = db
    .selectFrom("identity_resolution_jobs")
    .selectAll()
    .where("domain_name", "=", domainName)
    .orderBy("job_id", "desc")
    .limit(page.limit + 1);
  if (page.after !== undefined) q = q.where("job_id", "<", page.after);
  const rows = await q.execute();
  return { items: rows.slice(0, page.limit).map(jobOf), more: rows.length > page.limit };
}

/** The domain's newest job that found matches (COMPLETED or PARTIAL_SUCCESS), or undefined. */
export async function latestFinishedJob(
  db: Kysely<Database>,
  domainName: string,
): Promise<IdentityResolutionJob | undefined> {
  const row = await db
    .selectFrom("identity_resolution_jobs")
    .selectAll()
    .where("domain_name", "=", domainName)
    .where("status", "in", ["COMPLETED", "PARTIAL_SUCCESS"])
    .orderBy("job_id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? jobOf(row) : undefined;
}

/** The domain's newest job waiting or running, or undefined. */
export async function activeJobId(db: Kysely<Database>, domainName: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("identity_resolution_jobs")
    .select("job_id")
    .where("domain_name", "=", domainName)
    .where("status", "in", ["PENDING", "PREPROCESSING", "FIND_MATCHING", "MERGING"])
    .orderBy("job_id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.job_id;
}

/** Stores a job's matches (in bounded inserts). */
export async function insertMatches(
  db: Kysely<Database>,
  dialect: DialectName,
  domainName: string,
  jobId: string,
  matches: readonly MlMatch[],
): Promise<void> {
  for (const part of chunks(matches, 1000)) {
    await insertMany(
      db,
      dialect,
      "ml_matches",
      part.map((m) => ({
        domain_name: domainName,
        job_id: jobId,
        match_id: m.matchId,
        profile_a: m.profileA,
        profile_b: m.profileB,
        score: m.score,
        detail: mlMatchDetailColumn.stringify(m.detail),
      })),
    );
  }
}

/** Drops the matches and groups of every job of the domain but `keepJobId`'s (a newer job's replace them). */
export async function deleteMatchesExcept(
  db: Kysely<Database>,
  domainName: string,
  keepJobId: string,
): Promise<void> {
  for (const table of ["ml_matches", "ml_match_groups"] as const)
    await db
      .deleteFrom(table)
      .where("domain_name", "=", domainName)
      .where("job_id", "<>", keepJobId)
      .execute();
}

/**
 * A job's last step: its matches grouped (GetMatches' answer, computed once, here, in one pass over
 * them), then one transaction stores the groups with the job's final state (`patch`) and their count,
 * and drops the older jobs' matches and groups.
 */
export async function finishJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  patch: Updateable<IdentityResolutionJobsTable>,
): Promise<void> {
  const groups = await jobMatchGroups(db, domainName, jobId);
  await db.transaction().execute(async (tx) => {
    await storeMatchGroups(tx, domainName, jobId, groups);
    await updateJob(tx, domainName, jobId, { ...patch, match_groups: groups.length });
    await deleteMatchesExcept(tx, domainName, jobId);
  });
}

/** The groups of a job that finished before groups were stored (migration 0300), stored once on first read. */
export async function storeGroupsOfOlderJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<number> {
  const groups = await jobMatchGroups(db, domainName, jobId);
  await db.transaction().execute(async (tx) => {
    await storeMatchGroups(tx, domainName, jobId, groups);
    await updateJob(tx, domainName, jobId, { match_groups: groups.length });
  });
  return groups.length;
}

function jobOf(r: IdentityResolutionJobsTable): IdentityResolutionJob {
  return {
    domainName: r.domain_name,
    jobId: r.job_id,
    status: r.status,
    ...(r.message !== null ? { message: r.message } : {}),
    ...(r.auto_merging !== null ? { autoMerging: jobAutoMergingColumn.parse(r.auto_merging) } : {}),
    reviewed: Number(r.reviewed),
    matchesFound: Number(r.matches_found),
    mergesDone: Number(r.merges_done),
    ...(r.match_groups !== null ? { matchGroups: Number(r.match_groups) } : {}),
    createdAt: Number(r.created_at),
    ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
    ...(r.ended_at !== null ? { endedAt: Number(r.ended_at) } : {}),
    updatedAt: Number(r.updated_at),
  };
}
