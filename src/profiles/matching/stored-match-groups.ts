import type { Kysely } from "kysely";
import { z } from "zod";
import { invalid } from "../../core/errors.ts";
import { dialectOf } from "../../db/dialect.ts";
import { jsonColumn } from "../../db/json-column.ts";
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

/** Stores a job's groups (in bounded inserts; a group already stored is kept). Run inside the job's final transaction. */
export async function storeMatchGroups(
  tx: Kysely<Database>,
  domainName: string,
  jobId: string,
  groups: readonly MatchGroup[],
): Promise<void> {
  for (const part of chunks(groups, 1000)) {
    await insertMany(
      tx,
      dialectOf(tx),
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

/** Where a page of groups resumes: after the group of this score and MatchId (groupPageKey). */
interface GroupCursor {
  score: number;
  matchId: string;
}

/** The page key inside a GetMatches NextToken; VALIDATION_FAILED naming NextToken when it is not one. */
export function parseGroupPageKey(key: string): GroupCursor {
  const cut = key.lastIndexOf(":");
  const score = Number(key.slice(0, cut));
  const matchId = key.slice(cut + 1);
  if (cut <= 0 || !Number.isFinite(score) || !/^[0-9a-f]{32}$/.test(matchId))
    throw invalid("NextToken", "1 validation error detected: NextToken is not a token of this list");
  return { score, matchId };
}

/**
 * A page of a finished job's stored groups in GetMatches' order (score descending, then MatchId), after
 * the page key `after`: read by the index a page at a time (keyset), whatever the number of groups.
 * Profiles merged or deleted since the job finished drop out of their group, and a group left with
 * fewer than two is skipped; the next rows are read until the page is full or the groups end.
 */
export async function storedGroupsPage(
  db: Kysely<Database>,
  domainName: string,
  jobId: string,
  page: { after?: string | undefined; limit: number },
): Promise<{ items: MatchGroup[]; more: boolean }> {
  let cursor = page.after === undefined ? undefined : parseGroupPageKey(page.after);
  const items: MatchGroup[] = [];
  // One group beyond the page says whether another page follows.
  while (items.length <= page.limit) {
    const want = page.limit + 1 - items.length;
    const rows = await groupRowsAfter(db, domainName, jobId, cursor, want);
    const live = await existingProfiles(
      db,
      domainName,
      rows.flatMap((r) => r.profileIds),
    );
    for (const r of rows) {
      const profileIds = r.profileIds.filter((id) => live.has(id));
      if (profileIds.length >= 2) items.push({ ...r, profileIds });
    }
    if (rows.length < want) break;
    const last = rows[rows.length - 1]!;
    cursor = { score: last.score, matchId: last.matchId };
  }
  return { items: items.slice(0, page.limit), more: items.length > page.limit };
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
