import type { SecretBox } from "../core/secret-box.ts";
import type { Queryable } from "../db/queryable.ts";

/**
 * Seals what a domain stores (object payloads, dead-lettered records) under the domain's data key;
 * src/security/kms/domain-keys.ts implements it over KMS (so a disabled key makes `boxIn` fail with
 * KMS's error). The box's `open` reads values stored before encryption as they are.
 */
export interface DomainSealer {
  boxIn(q: Queryable, domainName: string): Promise<SecretBox>;
}

const identity: SecretBox = { seal: (s) => s, open: (s) => s };

/** No encryption: values are stored as they are (stores composed without KMS, e.g. in unit tests). */
export const plainSealer: DomainSealer = { boxIn: async () => identity };
