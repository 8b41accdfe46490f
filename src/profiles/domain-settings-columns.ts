import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";
import type { RuleBasedMatchingWire } from "../ingest/matching/matching-rules.ts";
import type { JsonObject } from "./domain-store.ts";
import type { JobSchedule } from "./matching/job-schedule.ts";

const jsonObject: z.ZodType<JsonObject> = z.record(z.string(), z.unknown());

/** The RuleBasedMatching members the rule compiler reads, checked; the rest is kept as the caller put it. */
const ruleBasedMatching: z.ZodType<RuleBasedMatchingWire & JsonObject> = z.looseObject({
  Enabled: z.boolean().exactOptional(),
  MatchingRules: z.array(z.looseObject({ Rule: z.array(z.string()) })).exactOptional(),
  MaxAllowedRuleLevelForMerging: z.number().exactOptional(),
  MaxAllowedRuleLevelForMatching: z.number().exactOptional(),
  AttributeTypesSelector: z
    .looseObject({
      AttributeMatchingModel: z.enum(["ONE_TO_ONE", "MANY_TO_MANY"]),
      Address: z.array(z.string()).exactOptional(),
      PhoneNumber: z.array(z.string()).exactOptional(),
      EmailAddress: z.array(z.string()).exactOptional(),
    })
    .exactOptional(),
  ConflictResolution: z
    .looseObject({
      ConflictResolvingModel: z.enum(["RECENCY", "SOURCE"]),
      SourceName: z.string().exactOptional(),
    })
    .exactOptional(),
});

/** The Matching members the identity resolution jobs read, checked; the rest is kept as the caller put it. */
const matching: z.ZodType<{ Enabled?: boolean; JobSchedule?: JobSchedule } & JsonObject> = z.looseObject({
  Enabled: z.boolean().exactOptional(),
  JobSchedule: z
    .looseObject({
      DayOfTheWeek: z.enum(["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"]),
      Time: z.string(),
    })
    .exactOptional(),
});

/** `domains.matching`: the wire `Matching` member, as given. */
export const domainMatchingColumn = jsonColumn("domains", "matching", matching);
/** `domains.rule_based_matching`: the wire `RuleBasedMatching` member, as given. */
export const ruleBasedMatchingColumn = jsonColumn("domains", "rule_based_matching", ruleBasedMatching);
/** `domains.data_store`: the wire `DataStore` member, as given. */
export const dataStoreColumn = jsonColumn("domains", "data_store", jsonObject);
