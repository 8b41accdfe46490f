import { compareRecords, packComparison, type SharedValue } from "../../ingest/matching/fellegi-sunter.ts";
import { type LinkageRecord, linkageRecordOf } from "../../ingest/matching/linkage-record.ts";
import { inValues } from "../bulk.ts";
import type { IngestDatabase } from "../ingest-types.ts";
import { objectFieldsColumn } from "../leaves-columns.ts";
import type { SealedDomain } from "../profile-refresh.ts";
import { READ_PAGE } from "./read-records.ts";

/** Objects per profile compared with each other for m (the pairs of a profile of many objects are many). */
const MAX_OBJECTS_PER_PROFILE = 8;

/**
 * What one person looks like across records, from the domain's own data: the comparison vectors of
 * every two objects one profile holds (joined by a key or a merge: one person, to the precision of
 * keys and rules), read in pages of profiles. A rule-based merge joined its records because they
 * agreed, so m leans towards agreement — disagreement then weighs more against a match, which costs
 * recall, never precision.
 */
export async function knownMatches(
  database: IngestDatabase,
  { domainName, boxes }: SealedDomain,
  records: readonly LinkageRecord[],
  shared: SharedValue,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const ids = records.map((r) => r.id);
  for (let i = 0; i < ids.length; i += READ_PAGE) {
    const rows = await database.db
      .selectFrom("profile_objects")
      .select(["profile_id", "fields"])
      .where("domain_name", "=", domainName)
      .where(inValues(database.dialect, "profile_id", ids.slice(i, i + READ_PAGE)))
      .execute();
    const byProfile = new Map<string, LinkageRecord[]>();
    for (const r of rows) {
      const list = byProfile.get(r.profile_id) ?? [];
      if (list.length < MAX_OBJECTS_PER_PROFILE)
        list.push(linkageRecordOf(r.profile_id, objectFieldsColumn.open(boxes, r.fields)));
      byProfile.set(r.profile_id, list);
    }
    for (const list of byProfile.values()) {
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          const code = packComparison(compareRecords(list[a]!, list[b]!, shared));
          out.set(code, (out.get(code) ?? 0) + 1);
        }
      }
    }
  }
  return out;
}
