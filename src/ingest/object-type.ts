/**
 * The object type model of PutProfileObjectType (botocore customer-profiles 2020-08-15), as plain
 * TypeScript types. The zod schemas that check them live in object-type-schema.ts.
 */

/** How a field's value is normalized for matching and search (model `FieldContentType`). */
export const CONTENT_TYPES = ["STRING", "NUMBER", "PHONE_NUMBER", "EMAIL_ADDRESS", "NAME"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Every `StandardIdentifier` of the model, in model order. */
export const STANDARD_IDENTIFIERS = [
  "PROFILE",
  "ASSET",
  "CASE",
  "DEVICE",
  "WEB_ANALYTICS",
  "ORDER",
  "COMMUNICATION_RECORD",
  "AIR_PREFERENCE",
  "HOTEL_PREFERENCE",
  "AIR_BOOKING",
  "AIR_SEGMENT",
  "HOTEL_RESERVATION",
  "HOTEL_STAY_REVENUE",
  "LOYALTY",
  "LOYALTY_TRANSACTION",
  "LOYALTY_PROMOTION",
  "UNIQUE",
  "SECONDARY",
  "LOOKUP_ONLY",
  "NEW_ONLY",
] as const;
export type StandardIdentifier = (typeof STANDARD_IDENTIFIERS)[number];

/** One entry of `Fields`: where a value comes from, where it goes, how it is compared. */
export interface ObjectTypeField {
  Source?: string;
  Target?: string;
  ContentType?: ContentType;
}

/** One element of a key's list in `Keys`. No identifiers means "stored and searchable, never matched". */
export interface ObjectTypeKey {
  StandardIdentifiers?: StandardIdentifier[];
  FieldNames?: string[];
}

export type FieldMap = Record<string, ObjectTypeField>;
export type KeyMap = Record<string, ObjectTypeKey[]>;

/** A validated PutProfileObjectType request (plus its URI member ObjectTypeName). */
export interface ObjectTypeDefinition {
  ObjectTypeName: string;
  Description: string;
  TemplateId?: string;
  ExpirationDays?: number;
  EncryptionKey?: string;
  AllowProfileCreation?: boolean;
  SourceLastUpdatedTimestampFormat?: string;
  MaxProfileObjectCount?: number;
  SourcePriority?: number;
  Fields?: FieldMap;
  Keys?: KeyMap;
  Tags?: Record<string, string>;
}

/** A built-in template: the GetProfileObjectTypeTemplate response shape. */
export interface ObjectTypeTemplate {
  TemplateId: string;
  SourceName: string;
  SourceObject: string;
  AllowProfileCreation: boolean;
  SourceLastUpdatedTimestampFormat: string;
  Fields: FieldMap;
  Keys: KeyMap;
}

/**
 * The name of the field whose value is the source record's last-modified time. The AWS model doc:
 * "If you have sourceLastUpdatedTimestamp in your field, you must set up sourceLastUpdatedTimestampFormat".
 */
export const SOURCE_TIMESTAMP_FIELD = "sourceLastUpdatedTimestamp";

/** Keys per object type (service quota). */
export const MAX_KEYS_PER_OBJECT_TYPE = 10;
