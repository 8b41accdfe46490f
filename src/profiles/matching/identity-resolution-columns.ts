import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import { jsonColumn } from "../../db/json-column.ts";
import type { Comparison } from "../../ingest/matching/fellegi-sunter.ts";

/** The AutoMerging members the job acts on (validated on the wire). */
export interface AutoMergingSettings {
  Enabled: boolean;
  Consolidation?: { MatchingAttributesList: string[][] };
  ConflictResolution?: { ConflictResolvingModel: "RECENCY" | "SOURCE"; SourceName?: string };
  MinAllowedConfidenceScoreForMerging?: number;
}

/** What an identity resolution job stores per match: each compared field's level, and its explanation. */
export type MlMatchDetail = { Comparison: Comparison } & Record<string, unknown>;

const autoMergingSettings: z.ZodType<AutoMergingSettings> = z.looseObject({
  Enabled: z.boolean(),
  Consolidation: z.looseObject({ MatchingAttributesList: z.array(z.array(z.string())) }).exactOptional(),
  ConflictResolution: z
    .looseObject({
      ConflictResolvingModel: z.enum(["RECENCY", "SOURCE"]),
      SourceName: z.string().exactOptional(),
    })
    .exactOptional(),
  MinAllowedConfidenceScoreForMerging: z.number().exactOptional(),
});

const mlMatchDetail: z.ZodType<MlMatchDetail> = z.looseObject({ Comparison: z.array(z.number()) });

/** `ml_matches.detail`: the pair's comparison vector and each field's level and weight. */
export const mlMatchDetailColumn = jsonColumn("ml_matches", "detail", mlMatchDetail);
/** `identity_resolution_jobs.auto_merging`: the AutoMerging settings the job ran with. */
export const jobAutoMergingColumn = jsonColumn(
  "identity_resolution_jobs",
  "auto_merging",
  autoMergingSettings,
);

/**
 * The `AutoMerging` member of a domain's stored `Matching` (read through the domains.matching codec,
 * which leaves it unchecked), checked; undefined when absent.
 */
export function storedAutoMerging(value: unknown): AutoMergingSettings | undefined {
  if (value === undefined) return undefined;
  if (isAutoMergingSettings(value)) return value;
  throw new ProfileflowError(
    "STORED_DATA_INVALID",
    "domains.matching holds a malformed value: AutoMerging is not AutoMerging settings",
    { table: "domains", column: "matching" },
  );
}

/** The value as stored (its keys in their order; zod's output would reorder them), once checked. */
function isAutoMergingSettings(value: unknown): value is AutoMergingSettings {
  return autoMergingSettings.safeParse(value).success;
}
