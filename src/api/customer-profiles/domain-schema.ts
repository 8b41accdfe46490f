import { z } from "zod";
import { nameSchema, tagMapSchema } from "../../ingest/index.ts";
import { ATTRIBUTE_TYPE_MEMBERS, ruleAttributeProblem } from "../../ingest/matching/matching-rules.ts";

/**
 * zod schemas of the CreateDomain / UpdateDomain members, with the lengths, ranges, patterns and
 * enums of the botocore model (customer-profiles 2020-08-15). Unknown members are dropped, as the
 * service drops members a newer SDK may send.
 */

/** `name`: DomainName, 1–64, `^[a-zA-Z0-9_-]+$`. */
export const domainNameSchema = nameSchema;

const string1To255 = z.string().min(1).max(255);
const expirationDays = z.number().int().min(1).max(1098);

const conflictResolution = z
  .object({
    ConflictResolvingModel: z.enum(["RECENCY", "SOURCE"]),
    SourceName: string1To255.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.ConflictResolvingModel === "SOURCE" && c.SourceName === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["SourceName"],
        message: "is required when ConflictResolvingModel is SOURCE",
      });
  });

const exportingConfig = z.object({
  S3Exporting: z
    .object({
      S3BucketName: z
        .string()
        .min(3)
        .max(63)
        .regex(/^[a-z0-9.-]+$/),
      S3KeyName: z.string().min(1).max(800).optional(),
    })
    .optional(),
});

const matching = z.object({
  Enabled: z.boolean(),
  JobSchedule: z
    .object({
      DayOfTheWeek: z.enum(["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"]),
      Time: z
        .string()
        .min(3)
        .max(5)
        .regex(/^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$/),
    })
    .optional(),
  AutoMerging: z
    .object({
      Enabled: z.boolean(),
      Consolidation: z
        .object({
          MatchingAttributesList: z.array(z.array(string1To255).min(1).max(20)).min(1).max(10),
        })
        .optional(),
      ConflictResolution: conflictResolution.optional(),
      MinAllowedConfidenceScoreForMerging: z.number().min(0).max(1).optional(),
    })
    .optional(),
  ExportingConfig: exportingConfig.optional(),
});

const ruleLevel = z.number().int().min(1).max(15);

const typeMembers = (type: keyof typeof ATTRIBUTE_TYPE_MEMBERS, max: number) =>
  z
    .array(string1To255)
    .min(1)
    .max(max)
    .superRefine((list, ctx) => {
      const allowed: readonly string[] = ATTRIBUTE_TYPE_MEMBERS[type];
      for (const [i, m] of list.entries()) {
        if (!allowed.includes(m))
          ctx.addIssue({ code: "custom", path: [i], message: `${m} is not one of ${allowed.join(", ")}` });
      }
    });

const ruleBasedMatching = z
  .object({
    Enabled: z.boolean(),
    MatchingRules: z
      .array(z.object({ Rule: z.array(string1To255).min(1).max(15) }))
      .min(1)
      .max(15)
      .optional(),
    MaxAllowedRuleLevelForMerging: ruleLevel.optional(),
    MaxAllowedRuleLevelForMatching: ruleLevel.optional(),
    AttributeTypesSelector: z
      .object({
        AttributeMatchingModel: z.enum(["ONE_TO_ONE", "MANY_TO_MANY"]),
        Address: typeMembers("Address", 4).optional(),
        PhoneNumber: typeMembers("PhoneNumber", 4).optional(),
        EmailAddress: typeMembers("EmailAddress", 3).optional(),
      })
      .optional(),
    ConflictResolution: conflictResolution.optional(),
    ExportingConfig: exportingConfig.optional(),
  })
  .superRefine((r, ctx) => {
    const rules = r.MatchingRules ?? [];
    for (const [i, rule] of rules.entries()) {
      for (const [j, attr] of rule.Rule.entries()) {
        const problem = ruleAttributeProblem(attr);
        if (problem)
          ctx.addIssue({ code: "custom", path: ["MatchingRules", i, "Rule", j], message: problem });
      }
    }
    if (r.Enabled && rules.length === 0)
      ctx.addIssue({ code: "custom", path: ["MatchingRules"], message: "is required when Enabled is true" });
    for (const member of ["MaxAllowedRuleLevelForMerging", "MaxAllowedRuleLevelForMatching"] as const) {
      const level = r[member];
      if (level !== undefined && rules.length > 0 && level > rules.length)
        ctx.addIssue({
          code: "custom",
          path: [member],
          message: `is ${level}, above the ${rules.length} MatchingRules given (rule level i is MatchingRules[i-1])`,
        });
    }
    const merging = r.MaxAllowedRuleLevelForMerging;
    const matching = r.MaxAllowedRuleLevelForMatching;
    if (merging !== undefined && matching !== undefined && merging > matching)
      ctx.addIssue({
        code: "custom",
        path: ["MaxAllowedRuleLevelForMerging"],
        message: `is ${merging}, above MaxAllowedRuleLevelForMatching ${matching}: a merged match must be a match`,
      });
  });

const dataStore = z.object({ Enabled: z.boolean().optional() });

const settings = {
  DefaultEncryptionKey: z.string().max(255).optional(),
  DeadLetterQueueUrl: z.string().max(255).optional(),
  Matching: matching.optional(),
  RuleBasedMatching: ruleBasedMatching.optional(),
  DataStore: dataStore.optional(),
  Tags: tagMapSchema.optional(),
};

/** The CreateDomain body: DefaultExpirationDays is required. */
export const createDomainSchema = z.object({ DefaultExpirationDays: expirationDays, ...settings });

/** The UpdateDomain body: every member optional; `""` clears DefaultEncryptionKey or DeadLetterQueueUrl. */
export const updateDomainSchema = z.object({ DefaultExpirationDays: expirationDays.optional(), ...settings });
