import type { ContentType, StandardIdentifier } from "./object-type.ts";
import type { AssetFields, CaseFields, ProfileFields } from "./standard-fields.ts";

/** One key value an object carries, normalized by its content type. */
export interface MappedKey {
  name: string;
  value: string;
  /** The key's StandardIdentifiers; empty means stored and searchable, never used to match. */
  identifiers: readonly StandardIdentifier[];
  contentType: ContentType;
}

/** What one source record becomes under an object type. */
export interface MappedObject {
  profile: ProfileFields;
  /** Present when the object type targets `_case.*`. */
  case?: CaseFields;
  /** Present when the object type targets `_asset.*`. */
  asset?: AssetFields;
  keys: MappedKey[];
  /** The UNIQUE key and its value (the ProfileObjectUniqueKey); absent when the type has no UNIQUE key. */
  uniqueKey?: { name: string; value: string };
  /** The source's last-modified time in epoch milliseconds, from the sourceLastUpdatedTimestamp field. */
  sourceTimestamp?: number;
  /**
   * The first EMAIL_ADDRESS and PHONE_NUMBER values of the record, targeted or not: an inferred
   * profile (one this object creates) gets them as EmailAddress / PhoneNumber.
   */
  inferred: { EmailAddress?: string; PhoneNumber?: string };
}

/** Why a record could not be mapped; the record is dead-lettered, the batch goes on. */
export type RecordErrorCode =
  | "OBJECT_NOT_JSON"
  | "OBJECT_NOT_AN_OBJECT"
  | "UNIQUE_KEY_MISSING"
  | "SOURCE_TIMESTAMP_UNPARSABLE"
  | "MAPPING_FAILED";

export interface RecordError {
  ok: false;
  code: RecordErrorCode;
  message: string;
  /** The Fields entry involved, when there is one. */
  field?: string;
}

/** The result of mapping one record: never thrown, always returned. */
export type MapResult = ({ ok: true } & MappedObject) | RecordError;
