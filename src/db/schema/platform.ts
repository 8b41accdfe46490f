/** Tables of the platform layer: access keys and tags. */

/** An access key's status, as IAM names it. */
export type AccessKeyStatus = "Active" | "Inactive";

export interface AccessKeysTable {
  access_key_id: string;
  /** The secret access key, encrypted with the master key (AES-256-GCM, base64 of iv|tag|ciphertext). */
  secret_ciphertext: string;
  name: string;
  /** 0 or 1. */
  is_root: number;
  /** The IAM user the key belongs to (migration 0002); null for the account root's key. */
  user_name: string | null;
  /** Migration 0002; an inactive key is refused like an unknown one. */
  status: AccessKeyStatus;
  created_at: number;
  updated_at: number;
}

export interface ResourceTagsTable {
  resource_arn: string;
  tag_key: string;
  tag_value: string;
}

export interface PlatformTables {
  access_keys: AccessKeysTable;
  resource_tags: ResourceTagsTable;
}
