/** Tables of KMS (migration 0260). */
import type { Generated } from "kysely";
import type { Json } from "../json-column.ts";

/** A KMS key's state, as KMS names it. */
export type KmsKeyState = "Enabled" | "Disabled" | "PendingDeletion";

export interface KmsKeysTable {
  /** The key's id (a UUID, as KMS's). */
  key_id: string;
  arn: string;
  description: string;
  key_state: KmsKeyState;
  key_usage: string;
  /** The key policy as the caller sent it (JSON text). */
  policy: string;
  /** The 256-bit key material, sealed by the master key's SecretBox: never in plain text. */
  material_sealed: string;
  created_at: number;
  deletion_date: number | null;
  pending_window_days: number | null;
}

export interface KmsAliasesTable {
  /** `alias/…`. */
  alias_name: string;
  target_key_id: string;
  created_at: number;
  updated_at: number;
}

export interface KmsGrantsTable {
  grant_id: string;
  key_id: string;
  grant_token: string;
  name: string | null;
  grantee_principal: string;
  retiring_principal: string | null;
  /** JSON array of operation names (codec: src/security/kms/kms-grant-columns.ts). */
  operations: Json<"kms_grants.operations">;
  /** JSON `{EncryptionContextSubset?, EncryptionContextEquals?}`, or null. */
  constraints: Json<"kms_grants.constraints"> | null;
  issuing_account: string;
  created_at: number;
}

export interface DomainDataKeysTable {
  domain_name: string;
  /** The domain's KMS key that wraps the data key. */
  key_arn: string;
  /** The data key as KMS's GenerateDataKey returned it: a ciphertext blob (base64) under `key_arn`. */
  wrapped_key: string;
  created_at: number;
  /**
   * How the domain's rows are sealed: 1 for a domain created before fields were sealed and key values
   * indexed (its rows may hold plain values until the start-up upgrade converts them, migration 0310),
   * 2 once every row is sealed (new domains). src/profiles/sealed-format-upgrade.ts.
   */
  sealed_format: Generated<number>;
}

export interface KmsTables {
  kms_keys: KmsKeysTable;
  kms_aliases: KmsAliasesTable;
  kms_grants: KmsGrantsTable;
  domain_data_keys: DomainDataKeysTable;
}

/**
 * `domain_data_keys.sealed_format` of a domain whose rows are all sealed and key values indexed (new
 * domains); older domains (1) are converted at start-up by src/profiles/sealed-format-upgrade.ts.
 */
export const SEALED_FORMAT = 2;
