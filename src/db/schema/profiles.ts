/** Tables of the profiles layer: profiles, their objects and keys, history, dead letters. */
import type { Json } from "../json-column.ts";

export type HistoryAction =
  | "ADDED_PROFILE_KEY"
  | "CREATED"
  | "DELETED_BY_CUSTOMER"
  | "DELETED_BY_MERGE"
  | "DELETED_PROFILE_KEY"
  | "EXPIRED"
  | "INGESTED"
  | "MERGED"
  | "UPDATED";
/** Where a key came from: an ingested object, AddProfileKey, or the standard fields. */
export type KeyOrigin = "object" | "manual" | "fields";
/** The content types keys are normalized by (ingest's CONTENT_TYPES; the compiler checks both ways where they meet). */
export type KeyContentType = "STRING" | "NUMBER" | "PHONE_NUMBER" | "EMAIL_ADDRESS" | "NAME";

export interface ProfilesTable {
  domain_name: string;
  profile_id: string;
  /** The effective standard fields as flat leaves (`FirstName`, `Address.City`, `Attributes.x`), JSON. */
  fields: Json<"profiles.fields">;
  /** Leaves set through CreateProfile/UpdateProfile/MergeProfiles, JSON; "" marks a field cleared by hand. */
  manual: Json<"profiles.manual">;
  created_at: number;
  updated_at: number;
}

export interface ProfileObjectsTable {
  domain_name: string;
  object_type_name: string;
  /** The ProfileObjectUniqueKey: the UNIQUE key's value, or a generated id when the type has none. */
  object_key: string;
  profile_id: string;
  /** The source record as received (JSON text). */
  payload: string;
  /** The profile leaves this object feeds, JSON. */
  fields: Json<"profile_objects.fields">;
  /** The source's last-modified time (epoch ms), when the object type names one. */
  source_timestamp: number | null;
  /** The object type's SourcePriority at ingestion (lower wins); null is lowest. */
  priority: number | null;
  updated_at: number;
}

export interface ProfileKeysTable {
  domain_name: string;
  key_name: string;
  /** Normalized by the key's content type. */
  key_value: string;
  profile_id: string;
  origin: KeyOrigin;
  /** For `object` keys: the object's type and unique key; "" otherwise. */
  object_type_name: string;
  object_key: string;
}

export interface ProfileKeyTypesTable {
  domain_name: string;
  key_name: string;
  /** The content type values of this key are normalized with (so searches normalize the same way). */
  content_type: KeyContentType;
}

export interface ProfileHistoryTable {
  domain_name: string;
  record_id: string;
  profile_id: string;
  object_type_name: string;
  action_type: HistoryAction;
  object_key: string | null;
  performed_by: string;
  /** JSON: which key matched, whether the profile was created, which fields changed. */
  content: Json<"profile_history.content">;
  created_at: number;
}

export interface ProfileDeadLettersTable {
  domain_name: string;
  dead_letter_id: string;
  object_type_name: string;
  object_key: string | null;
  payload: string;
  reason_code: string;
  message: string;
  created_at: number;
}

/** GetDomain's Stats of one domain, kept by triggers (migration 0340). */
export interface DomainStatsTable {
  domain_name: string;
  profiles: number;
  objects: number;
  /** Bytes of the stored payload text. */
  bytes: number;
}

export interface ProfilesTables {
  domain_stats: DomainStatsTable;
  profiles: ProfilesTable;
  profile_objects: ProfileObjectsTable;
  profile_keys: ProfileKeysTable;
  profile_key_types: ProfileKeyTypesTable;
  profile_history: ProfileHistoryTable;
  profile_dead_letters: ProfileDeadLettersTable;
}
