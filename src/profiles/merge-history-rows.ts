import type { Insertable } from "kysely";
import type { ProfileHistoryTable } from "../db/schema/profiles.ts";
import type { DomainBoxes } from "./domain-sealer.ts";
import { historyRow, PROFILE_CALL_TYPE } from "./profile-history.ts";

/** One merge as history tells it. */
export interface MergeHistory {
  mainId: string;
  mergedIds: readonly string[];
  mergeId: string;
  /** Why the profiles were joined (automatic merges); absent for MergeProfiles. */
  cause?: Record<string, unknown> | undefined;
  /** The main profile's fields the merge changed. */
  changedFields: readonly string[];
}

/** A merge's history: MERGED on the main profile, DELETED_BY_MERGE on each profile joined into it. */
export function mergeHistoryRows(
  boxes: DomainBoxes,
  domainName: string,
  m: MergeHistory,
  performedBy: string,
  now: number,
): Insertable<ProfileHistoryTable>[] {
  const cause = m.cause ? { Cause: m.cause } : {};
  return [
    historyRow(
      boxes,
      domainName,
      {
        profileId: m.mainId,
        objectTypeName: PROFILE_CALL_TYPE,
        actionType: "MERGED",
        performedBy,
        content: {
          MergedProfileIds: m.mergedIds,
          MergeId: m.mergeId,
          ...cause,
          ChangedFields: m.changedFields,
        },
      },
      now,
    ),
    ...m.mergedIds.map((id) =>
      historyRow(
        boxes,
        domainName,
        {
          profileId: id,
          objectTypeName: PROFILE_CALL_TYPE,
          actionType: "DELETED_BY_MERGE",
          performedBy,
          content: { MainProfileId: m.mainId, MergeId: m.mergeId, ...cause },
        },
        now,
      ),
    ),
  ];
}
