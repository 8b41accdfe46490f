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

/** Drops the matches of every job of the domain but `keepJobId`'s (a newer job's replace them). */
export async function deleteMatchesExcept(
  db: Kysely<Database>,
  domainName: string,
  keepJobId: string,
): Promise<void> {
  await db
    .deleteFrom("ml_matches")
    .where("domain_name", "=", domainName)
    .where("job_id", "<>", keepJobId)
    .execute();
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
    createdAt: Number(r.created_at),
    ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
    ...(r.ended_at !== null ? { endedAt: Number(r.ended_at) } : {}),
    updatedAt: Number(r.updated_at),
  };
}
