import { z } from "zod";
import { jsonColumn } from "../../db/json-column.ts";
import type { Leaves } from "../profile-fields.ts";
import { sealedJsonColumn } from "../sealed-json-column.ts";

/** The state before a merge, as `profile_merges.before` holds it. */
export interface PriorState {
  profiles: { profileId: string; fields: Leaves; manual: Leaves; createdAt: number; updatedAt: number }[];
  objects: { profileId: string; objectTypeName: string; objectKey: string }[];
  manualKeys: { profileId: string; keyName: string; value: string }[];
  /** The main profile's hand-set fields as the merge wrote them (absent in merges recorded before it was kept). */
  mergedManual?: Leaves;
}

const leaves = z.record(z.string(), z.string());
const priorState: z.ZodType<PriorState> = z.object({
  profiles: z.array(
    z.object({
      profileId: z.string(),
      fields: leaves,
      manual: leaves,
      createdAt: z.number(),
      updatedAt: z.number(),
    }),
  ),
  objects: z.array(z.object({ profileId: z.string(), objectTypeName: z.string(), objectKey: z.string() })),
  manualKeys: z.array(z.object({ profileId: z.string(), keyName: z.string(), value: z.string() })),
  mergedManual: leaves.exactOptional(),
});
const jsonObject = z.record(z.string(), z.unknown());

/** `profile_merges.merged_profile_ids`: the profile ids joined into the main one. */
export const mergedProfileIdsColumn = jsonColumn("profile_merges", "merged_profile_ids", z.array(z.string()));
/** `profile_merges.cause`: the rule and values (automatic merges) or `{Type: "MERGE_PROFILES"}`. */
export const mergeCauseColumn = sealedJsonColumn("profile_merges", "cause", jsonObject);
/** `profile_merges.before`: what unmerge restores. */
export const mergeBeforeColumn = sealedJsonColumn("profile_merges", "before", priorState);
/** `rule_matches.detail`: the agreeing values, and why the match was not merged. */
export const matchDetailColumn = sealedJsonColumn("rule_matches", "detail", jsonObject);
