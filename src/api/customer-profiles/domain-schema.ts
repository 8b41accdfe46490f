import { z } from "zod";
import { nameSchema, tagMapSchema } from "../../ingest/index.ts";

/**
 * zod schemas of the CreateDomain / UpdateDomain members, with the lengths, ranges, patterns and
 * enums of the botocore model (customer-profiles 2020-08-15). Unknown members are dropped, as the
 * service drops members a newer SDK may send.
 */

/** `name`: DomainName, 1–64, `^[a-zA-Z0-9_-]+$`. */
export const domainNameSchema = nameSchema;

const string1To255 = z.string().min(1).max(255);
const expirationDays = z.number().int().min(1).max(1098);

const conflictResolution = z.object({
  ConflictResolvingModel: z.enum(["RECENCY", "SOURCE"]),
  SourceName: string1To255.optional(),
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

const ruleBasedMatching = z.object({
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
      Address: z.array(string1To255).min(1).max(4).optional(),
      PhoneNumber: z.array(string1To255).min(1).max(4).optional(),
      EmailAddress: z.array(string1To255).min(1).max(3).optional(),
    })
    .optional(),
  ConflictResolution: conflictResolution.optional(),
  ExportingConfig: exportingConfig.optional(),
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

export type CreateDomainInput = z.infer<typeof createDomainSchema>;
