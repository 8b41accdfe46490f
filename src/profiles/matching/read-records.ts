import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type LinkageRecord, linkageRecordOf } from "../../ingest/matching/linkage-record.ts";
import { profileFieldsColumn } from "../leaves-columns.ts";
import type { SealedDomain } from "../profile-refresh.ts";

/** Profiles read per query while preprocessing. */
export const READ_PAGE = 2000;

/**
 * Every profile of the domain as a linkage record, read in pages by id; undefined when aborted. A
 * profile whose stored fields cannot be read is left out and its id added to `failed` (the job ends
 * PARTIAL_SUCCESS instead of failing for every profile).
 */
export async function readRecords(
  db: Kysely<Database>,
  { domainName, boxes }: SealedDomain,
  signal?: AbortSignal,
  failed: string[] = [],
): Promise<LinkageRecord[] | undefined> {
  const out: LinkageRecord[] = [];
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom("profiles")
      .select(["profile_id", "fields"])
      .where("domain_name", "=", domainName)
      .orderBy("profile_id")
      .limit(READ_PAGE);
    if (after !== undefined) q = q.where("profile_id", ">", after);
    const rows = await q.execute();
    for (const r of rows) {
      try {
        out.push(linkageRecordOf(r.profile_id, profileFieldsColumn.open(boxes, r.fields)));
      } catch {
        failed.push(r.profile_id);
      }
    }
    if (rows.length < READ_PAGE) return out;
    after = rows[rows.length - 1]!.profile_id;
    if (signal?.aborted) return undefined;
  }
}
