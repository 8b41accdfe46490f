import type { Queryable } from "../db/queryable.ts";

/**
 * Seals small secrets (a connector profile's credentials) under a named KMS key — the profile's
 * `kmsArn` — so that disabling or deleting that key makes them unreadable with KMS's error.
 * src/security/kms/kms-sealer.ts implements it.
 */
export interface KeyedSealer {
  /** VALIDATION_FAILED naming `member` unless `keyId` is an enabled KMS key of this server. */
  checkKeyIn(q: Queryable, keyId: string, member: string): Promise<void>;
  sealIn(q: Queryable, keyId: string, plaintext: string, context: Record<string, string>): Promise<string>;
  /** True when `sealed` is one sealIn made (else it is sealed by the master key). */
  isKeyed(sealed: string): boolean;
  openIn(q: Queryable, sealed: string, context: Record<string, string>): Promise<string>;
}
