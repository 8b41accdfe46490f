import type { Kysely } from "kysely";
import { z } from "zod";
import { invalid } from "../../core/errors.ts";
import { dialectOf } from "../../db/dialect.ts";
import { jsonColumn } from "../../db/json-column.ts";
import { refreshPlannerStatistics } from "../../db/planner-statistics.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, insertMany, inValues } from "../bulk.ts";
import { bothProfilesExist } from "./live-matches.ts";
import { groupMatches, type MatchGroup } from "./match-groups.ts";

/** `ml_match_groups.profile_ids`: the group's profile ids, best-linked first. */
export const matchGroupProfileIdsColumn = jsonColumn(
  "ml_match_groups",
  "profile_ids",
  z.custom<string[]>((v) => Array.isArray(v) && v.every((id) => typeof id === "string")),
);

/** Matches read per query when a job's groups are built (one pass over the job's matches, by key). */
const READ_PAGE = 5_000;

/**
 * The groups of a job's matches whose two profiles both exist now (merged or deleted ones drop out):
 * the job's matches read once, in pages by primary key, then joined by groupMatches (union–find).
 * Run when the job finishes; GetMatches reads the stored result.
 */
export async function jobMatchGroups(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<MatchGroup[]> {
  const pairs: { profileA: string; profileB: string; score: number }[] = [];
  // The job has just written its matches: keyset pages planned on fresh statistics.
  await refreshPlannerStatistics(db, ["ml_matches"]);
  for (let after: string | undefined; ; ) {
    let q = db
      .selectFrom("ml_matches as m")
      .select(["m.match_id", "m.profile_a", "m.profile_b", "m.score"])
      .where("m.domain_name", "=", domainName)
      .where("m.job_id", "=", jobId)
      .where(bothProfilesExist())
      .orderBy("m.match_id")
      .limit(READ_PAGE);
    if (after !== undefined) q = q.where("m.match_id", ">", after);
    const rows = await q.execute();
    for (const r of rows)
      pairs.push({ profileA: r.profile_a, profileB: r.profile_b, score: Number(r.score) });
    if (rows.length < READ_PAGE) break;
    after = rows[rows.length - 1]!.match_id;
  }
  return groupMatches(pairs);
}

/** Groups inserted per statement when a job's groups are stored. */
const INSERT_CHUNK = 1_000;

/**
 * Stores a job's groups in place of any it has (a finishJob run again, or one that failed half-way):
 * its own rows deleted, then the groups inserted in statements of INSERT_CHUNK, each its own short
 * write. Run BEFORE the job is marked finished: GetMatches reads only a finished job's groups, so
 * none of these rows is visible until the transaction that finishes the job commits.
 */
export async function replaceMatchGroups(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  groups: readonly MatchGroup[],
): Promise<void> {
  await deleteMatchGroupsOf(db, domainName, jobId);
  for (const part of chunks(groups, INSERT_CHUNK)) {
    await insertMany(
      db,
      dialectOf(db),
      "ml_match_groups",
      part.map((g) => ({
        domain_name: domainName,
        job_id: jobId,
        match_id: g.matchId,
        score: g.score,
        profile_ids: matchGroupProfileIdsColumn.stringify(g.profileIds),
      })),
      { columns: ["domain_name", "job_id", "score", "match_id"], update: [] },
    );
  }
}

/** Deletes a job's stored groups. */
export async function deleteMatchGroupsOf(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<void> {
  await db
    .deleteFrom("ml_match_groups")
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .execute();
}

/** How many groups a job has stored. */
export async function countMatchGroupsOf(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
): Promise<number> {
  const row = await db
    .selectFrom("ml_match_groups")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Where a page of groups resumes: after the group (or skipped row) of this score and MatchId. */
export interface GroupCursor {
  score: number;
  matchId: string;
}

/**
 * A GetMatches page key: the job whose groups are listed, then the score and MatchId of the last row
 * the page read — a later job's groups are never read with an earlier job's cursor.
 */
export function groupPageKey(jobId: string, after: GroupCursor): string {
  return `${jobId}:${after.score}:${after.matchId}`;
}

/** The page key inside a GetMatches NextToken; VALIDATION_FAILED naming NextToken when it is not one. */
export function parseGroupPageKey(key: string): GroupCursor & { jobId: string } {
  const first = key.indexOf(":");
  const last = key.lastIndexOf(":");
  const jobId = key.slice(0, first);
  const scoreText = key.slice(first + 1, last);
  const score = Number(scoreText);
  const matchId = key.slice(last + 1);
  if (
    first <= 0 ||
    last <= first + 1 ||
    !/^[0-9a-f]{32}$/.test(jobId) ||
    scoreText.trim() === "" ||
    !Number.isFinite(score) ||
    !/^[0-9a-f]{32}$/.test(matchId)
  )
    throw invalid("NextToken", "1 validation error detected: NextToken is not a token of this list");
  return { jobId, score, matchId };
}

/** Stored rows a GetMatches request reads at most (the page's groups and those skipped on the way). */
export const MAX_SCANNED_GROUPS = 1_000;
/** Stored rows read per query while a page fills (at least the rows the page still needs). */
const SCAN_BATCH = 100;

/**
 * A page of a finished job's stored groups in GetMatches' order (score descending, then MatchId), after
 * `after`: read by the index in batches (keyset), whatever the number of groups. Profiles merged or
 * deleted since the job finished drop out of their group, and a group left with fewer than two is
 * skipped; the page's rows plus one are read first, then (when some were skipped) batches of
 * max(rows still needed, SCAN_BATCH), until the page is full and one more live group is seen, or the
 * groups end, or MAX_SCANNED_GROUPS rows have been read — then the page is short (even empty) and
 * `next` resumes after the last row read, so a request's cost stays bounded however many groups were
 * emptied by merges. `next` is undefined when no group follows.
 */
export async function storedGroupsPage(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  page: { after?: GroupCursor | undefined; limit: number },
): Promise<{ items: MatchGroup[]; next: GroupCursor | undefined }> {
  const items: MatchGroup[] = [];
  let read: GroupCursor | undefined = page.after;
  let scanned = 0;
  for (;;) {
    // The first read: the rows the page needs; after that (groups were skipped), at least SCAN_BATCH.
    const want = page.limit + 1 - items.length;
    const batch = Math.min(scanned === 0 ? want : Math.max(want, SCAN_BATCH), MAX_SCANNED_GROUPS - scanned);
    const rows = await groupRowsAfter(db, domainName, jobId, read, batch);
    scanned += rows.length;
    const live = await existingProfiles(
      db,
      domainName,
      rows.flatMap((r) => r.profileIds),
    );
    for (const r of rows) {
      const profileIds = r.profileIds.filter((id) => live.has(id));
      if (profileIds.length >= 2) {
        // A live group beyond a full page: the next page starts after the rows read before it.
        if (items.length === page.limit) return { items, next: read };
        items.push({ ...r, profileIds });
      }
      read = { score: r.score, matchId: r.matchId };
    }
    if (rows.length < batch) return { items, next: undefined };
    if (scanned >= MAX_SCANNED_GROUPS) return { items, next: read };
  }
}

/**
 * Up to `limit` stored groups after `cursor`, in order: the rest of the cursor's score (MatchId
 * above it), then the lower scores — two index ranges, so a resumed page reads only what it returns.
 */
async function groupRowsAfter(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  cursor: GroupCursor | undefined,
  limit: number,
): Promise<MatchGroup[]> {
  const base = db
    .selectFrom("ml_match_groups")
    .select(["match_id", "score", "profile_ids"])
    .where("domain_name", "=", domainName)
    .where("job_id", "=", jobId);
  const rows = [];
  if (cursor) {
    rows.push(
      ...(await base
        .where("score", "=", cursor.score)
        .where("match_id", ">", cursor.matchId)
        .orderBy("match_id")
        .limit(limit)
        .execute()),
    );
  }
  if (rows.length < limit) {
    let lower = base
      .orderBy("score", "desc")
      .orderBy("match_id")
      .limit(limit - rows.length);
    if (cursor) lower = lower.where("score", "<", cursor.score);
    rows.push(...(await lower.execute()));
  }
  return rows.map((r) => ({
    matchId: r.match_id,
    score: Number(r.score),
    profileIds: matchGroupProfileIdsColumn.parse(r.profile_ids),
  }));
}

/** Which of these profile ids exist in the domain (one read by primary key). */
async function existingProfiles(
  db: Kysely<Database>,
  domainName: string,
  profileIds: readonly string[],
): Promise<Set<string>> {
  if (profileIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("profiles")
    .select("profile_id")
    .where("domain_name", "=", domainName)
    .where(inValues(dialectOf(db), "profile_id", profileIds))
    .execute();
  return new Set(rows.map((r) => r.profile_id));
}
