import { z } from "zod";

/**
 * KMS request members as the KMS API Reference models them (lengths, ranges, enums). Unknown members
 * (GrantTokens, DryRun, …) are accepted and ignored, as the SDK may send them.
 */
export const keyIdMember = z.string().min(1).max(2048);
const aliasName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9:/_-]+$/, "must use letters, digits and :/_-");
const limit = z.number().int().min(1).max(1000).optional();
const marker = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[\u0020-\u00FF]*$/)
  .optional();
const blob = (max: number) =>
  z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .refine((s) => Buffer.from(s, "base64").length <= max, `must be at most ${max} bytes`);
export const encryptionContext = z.record(z.string().min(1), z.string()).optional();
const tags = z
  .array(z.object({ TagKey: z.string().min(1).max(128), TagValue: z.string().max(256) }))
  .max(50)
  .optional();
const policy = z.string().min(1).max(32768);

export const grantOperations = [
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "ReEncryptFrom",
  "ReEncryptTo",
  "Sign",
  "Verify",
  "GetPublicKey",
  "CreateGrant",
  "RetireGrant",
  "DescribeKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateMac",
  "VerifyMac",
  "DeriveSharedSecret",
] as const;

export const kmsInputs = {
  CreateKey: z.object({
    Policy: policy.optional(),
    Description: z.string().max(8192).optional(),
    KeyUsage: z.literal("ENCRYPT_DECRYPT", "only ENCRYPT_DECRYPT keys are served").optional(),
    KeySpec: z.literal("SYMMETRIC_DEFAULT", "only SYMMETRIC_DEFAULT keys are served").optional(),
    CustomerMasterKeySpec: z
      .literal("SYMMETRIC_DEFAULT", "only SYMMETRIC_DEFAULT keys are served")
      .optional(),
    Origin: z.literal("AWS_KMS", "only AWS_KMS key material is served").optional(),
    MultiRegion: z.literal(false, "multi-Region keys are not served").optional(),
    BypassPolicyLockoutSafetyCheck: z.boolean().optional(),
    Tags: tags,
  }),
  KeyId: z.object({ KeyId: keyIdMember }),
  ListKeys: z.object({ Limit: limit, Marker: marker }),
  ScheduleKeyDeletion: z.object({
    KeyId: keyIdMember,
    PendingWindowInDays: z.number().int().min(7).max(30).optional(),
  }),
  GetKeyPolicy: z.object({
    KeyId: keyIdMember,
    PolicyName: z.literal("default", "the only key policy name is 'default'").optional(),
  }),
  PutKeyPolicy: z.object({
    KeyId: keyIdMember,
    PolicyName: z.literal("default", "the only key policy name is 'default'").optional(),
    Policy: policy,
    BypassPolicyLockoutSafetyCheck: z.boolean().optional(),
  }),
  Alias: z.object({ AliasName: aliasName, TargetKeyId: keyIdMember }),
  DeleteAlias: z.object({ AliasName: aliasName }),
  ListAliases: z.object({ KeyId: keyIdMember.optional(), Limit: limit, Marker: marker }),
  CreateGrant: z.object({
    KeyId: keyIdMember,
    GranteePrincipal: z.string().min(1).max(256),
    RetiringPrincipal: z.string().min(1).max(256).optional(),
    Operations: z.array(z.enum(grantOperations)).min(1),
    Constraints: z
      .object({ EncryptionContextSubset: encryptionContext, EncryptionContextEquals: encryptionContext })
      .optional(),
    Name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[a-zA-Z0-9:/_-]+$/)
      .optional(),
  }),
  ListGrants: z.object({
    KeyId: keyIdMember,
    Limit: limit,
    Marker: marker,
    GrantId: z.string().min(1).max(128).optional(),
    GranteePrincipal: z.string().min(1).max(256).optional(),
  }),
  RetireGrant: z.object({
    GrantToken: z.string().min(1).max(8192).optional(),
    KeyId: keyIdMember.optional(),
    GrantId: z.string().min(1).max(128).optional(),
  }),
  RevokeGrant: z.object({ KeyId: keyIdMember, GrantId: z.string().min(1).max(128) }),
  Encrypt: z.object({
    KeyId: keyIdMember,
    Plaintext: blob(4096),
    EncryptionContext: encryptionContext,
    EncryptionAlgorithm: z.literal("SYMMETRIC_DEFAULT").optional(),
  }),
  Decrypt: z.object({
    CiphertextBlob: blob(6144),
    EncryptionContext: encryptionContext,
    KeyId: keyIdMember.optional(),
    EncryptionAlgorithm: z.literal("SYMMETRIC_DEFAULT").optional(),
  }),
  GenerateDataKey: z.object({
    KeyId: keyIdMember,
    EncryptionContext: encryptionContext,
    NumberOfBytes: z.number().int().min(1).max(1024).optional(),
    KeySpec: z.enum(["AES_256", "AES_128"]).optional(),
  }),
};
