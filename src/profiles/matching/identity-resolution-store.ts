import { randomBytes } from "node:crypto";
import type { Kysely, Updateable } from "kysely";
import { type DialectName, dialectOf } from "../../db/dialect.ts";
import type { IdentityResolutionJobStatus, IdentityResolutionJobsTable } from "../../db/schema/matching.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, insertMany } from "../bulk.ts";
import { lockDomainIn } from "../domain-transaction.ts";
import {
  type AutoMergingSettings,
  jobAutoMergingColumn,
  type MlMatchDetail,
  mlMatchDetailColumn,
} from "./identity-resolution-columns.ts";
import {
  countMatchGroupsOf,
  deleteMatchGroupsOf,
  jobMatchGroups,
  replaceMatchGroups,
} from "./stored-match-groups.ts";

/** IdentityResolutionJobStatus. */
export type JobStatus = IdentityResolutionJobStatus;

/** The statuses of a job waiting or running: the only ones finishJob moves on from. */
const ACTIVE_STATUSES: JobStatus[] = ["PENDING", "PREPROCESSING", "FIND_MATCHING", "MERGING"];
/** The statuses of a job whose matches (and groups) GetMatches answers. */
const FINISHED_STATUSES: JobStatus[] = ["COMPLETED", "PARTIAL_SUCCESS"];

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
    .where("status", "in", FINISHED_STATUSES)
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
    .where("status", "in", ACTIVE_STATUSES)
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

/** The domain's newest finished jobs (COMPLETED or PARTIAL_SUCCESS), newest first, at most `count`. */
export async function latestFinishedJobs(
  db: Kysely<Database>,
  domainName: string,
  count: number,
): Promise<IdentityResolutionJob[]> {
  const rows = await db
    .selectFrom("identity_resolution_jobs")
    .selectAll()
    .where("domain_name", "=", domainName)
    .where("status", "in", FINISHED_STATUSES)
    .orderBy("job_id", "desc")
    .limit(count)
    .execute();
  return rows.map(jobOf);
}

/**
 * A job's last step. Its matches are grouped (GetMatches' answer, computed once, here, in one pass
 * over them) and, while the job is still active, stored in short statements in place of any groups
 * it already had (a run repeated or cut short) — invisible until the job is finished, as GetMatches
 * reads only a finished job's groups. Then one short transaction, under the domain lock, finishes the
 * job (`patch`, with the groups' count) only if it is still active, checks that all its groups are
 * stored, and drops the matches and groups of the jobs older than it except the previous finished
 * one's, which stay until the next job finishes (a GetMatches paging through them, or reading them
 * as the latest when this job committed, keeps its pages). Returns false, finishing nothing, when
 * the job is no longer active (finished already, failed, or gone).
 */
export async function finishJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  patch: Updateable<IdentityResolutionJobsTable>,
): Promise<boolean> {
  const job = await getJob(db, domainName, jobId);
  if (!job || !ACTIVE_STATUSES.includes(job.status)) return false;
  const groups = await jobMatchGroups(db, domainName, jobId);
  await replaceMatchGroups(db, domainName, jobId, groups);
  return db.transaction().execute(async (tx) => {
    await lockDomainIn(tx, dialectOf(tx), domainName);
    const updated = await tx
      .updateTable("identity_resolution_jobs")
      .set({ ...patch, match_groups: groups.length })
      .where("domain_name", "=", domainName)
      .where("job_id", "=", jobId)
      .where("status", "in", ACTIVE_STATUSES)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      // Finished (or failed) meanwhile by another run: its groups are that run's; otherwise drop ours.
      const now = await getJob(tx, domainName, jobId);
      if (!now || !FINISHED_STATUSES.includes(now.status)) await deleteMatchGroupsOf(tx, domainName, jobId);
      return false;
    }
    const stored = await countMatchGroupsOf(tx, domainName, jobId);
    if (stored !== groups.length)
      throw new Error(`identity resolution job ${jobId}: ${stored} of its ${groups.length} groups stored`);
    await dropOlderJobsMatches(tx, domainName, jobId);
    return true;
  });
}

/**
 * Drops the matches and groups of the domain's jobs older than `jobId` (ids sort by creation), except
 * the newest finished one among them: the previous answer stays readable until the next job finishes.
 */
async function dropOlderJobsMatches(tx: Kysely<Database>, domainName: string, jobId: string): Promise<void> {
  const previous = await tx
    .selectFrom("identity_resolution_jobs")
    .select("job_id")
    .where("domain_name", "=", domainName)
    .where("status", "in", FINISHED_STATUSES)
    .where("job_id", "<", jobId)
    .orderBy("job_id", "desc")
    .limit(1)
    .executeTakeFirst();
  for (const table of ["ml_matches", "ml_match_groups"] as const) {
    let q = tx.deleteFrom(table).where("domain_name", "=", domainName).where("job_id", "<", jobId);
    if (previous) q = q.where("job_id", "<>", previous.job_id);
    await q.execute();
  }
}

/**
 * The groups of a job that finished before groups were stored (migration 0300), built and stored once,
 * on its first read: in one transaction under the domain lock that first re-checks the job still has
 * none, so concurrent first reads build them once (the others wait, then find them stored).
 */
export async function storeGroupsOfOlderJob(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await lockDomainIn(tx, dialectOf(tx), domainName);
    const job = await getJob(tx, domainName, jobId);
    if (!job || job.matchGroups !== undefined) return;
    const groups = await jobMatchGroups(tx, domainName, jobId);
    await replaceMatchGroups(tx, domainName, jobId, groups);
    await updateJob(tx, domainName, jobId, { match_groups: groups.length });
  });
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
