import { z } from "zod";
import { CONTENT_TYPES, MAX_KEYS_PER_OBJECT_TYPE, STANDARD_IDENTIFIERS } from "./object-type.ts";

/**
 * zod schemas for the PutProfileObjectType members, with the exact lengths, ranges and patterns of
 * the botocore model (customer-profiles 2020-08-15). Cross-member rules live in validate-object-type.ts.
 */

/** `typeName`: 1-255, `^[a-zA-Z_][a-zA-Z_0-9-]*$`. */
export const objectTypeNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z_][a-zA-Z_0-9-]*$/);

/** `name`: 1-64, `^[a-zA-Z0-9_-]+$` (TemplateId, key names, FieldNames entries). */
export const nameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9_-]+$/);

/** `fieldName`: 1-64, `^[a-zA-Z0-9_.-]+$` (dots allowed). */
export const fieldNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9_.-]+$/);

/** `text`: 1-1000. */
const textSchema = z.string().min(1).max(1000);

export const contentTypeSchema = z.enum(CONTENT_TYPES);
export const standardIdentifierSchema = z.enum(STANDARD_IDENTIFIERS);

export const objectTypeFieldSchema = z.object({
  Source: textSchema.optional(),
  Target: textSchema.optional(),
  ContentType: contentTypeSchema.optional(),
});

export const objectTypeKeySchema = z.object({
  StandardIdentifiers: z.array(standardIdentifierSchema).optional(),
  FieldNames: z.array(nameSchema).optional(),
});

export const fieldMapSchema = z.record(fieldNameSchema, objectTypeFieldSchema);

export const keyMapSchema = z
  .record(nameSchema, z.array(objectTypeKeySchema))
  .refine((keys) => Object.keys(keys).length <= MAX_KEYS_PER_OBJECT_TYPE, {
    message: `at most ${MAX_KEYS_PER_OBJECT_TYPE} keys per object type`,
  });

const tagKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^(?!aws:)[a-zA-Z+-=._:/]+$/);

export const tagMapSchema = z.record(tagKeySchema, z.string().max(256)).refine((tags) => {
  const n = Object.keys(tags).length;
  return n >= 1 && n <= 50;
}, "1-50 tags");

/** The PutProfileObjectType request body plus the URI member ObjectTypeName. */
export const objectTypeDefinitionSchema = z.object({
  ObjectTypeName: objectTypeNameSchema,
  Description: z.string().min(1).max(1000),
  TemplateId: nameSchema.optional(),
  ExpirationDays: z.number().int().min(1).max(1098).optional(),
  EncryptionKey: z.string().max(255).optional(),
  AllowProfileCreation: z.boolean().optional(),
  SourceLastUpdatedTimestampFormat: z.string().min(1).max(255).optional(),
  MaxProfileObjectCount: z.number().int().min(1).optional(),
  SourcePriority: z.number().int().min(1).optional(),
  Fields: fieldMapSchema.optional(),
  Keys: keyMapSchema.optional(),
  Tags: tagMapSchema.optional(),
});
