import type { SecretBox } from "../core/secret-box.ts";
import type { Queryable } from "../db/queryable.ts";

/** Where a sealed value is stored (`table.column`): a value opens only where it was sealed. */
export type SealedPlace =
  | "profile_objects.payload"
  | "profile_dead_letters.payload"
  | "profile_dead_letters.message"
  | "profiles.fields"
  | "profiles.manual"
  | "profile_objects.fields"
  | "profile_history.content"
  | "profile_merges.before"
  | "profile_merges.cause"
  | "rule_matches.detail";

/** The domain's boxes, one per place (each binds its values to the domain and the place), and its key index. */
export interface DomainBoxes {
  at(place: SealedPlace): SecretBox;
  /**
   * What `profile_keys.key_value` stores for a (key name, normalized value): a keyed blind index
   * (`pfh1.` + HMAC-SHA256 under a key derived from the data key, truncated) in a domain with a data
   * key, so equal values still find each other by index; the value itself in a domain without one.
   */
  index(keyName: string, value: string): string;
  /** Whether `index` hides values (a domain with a data key): stored key values cannot be read back. */
  readonly blind: boolean;
}

/** What a later transaction will seal (by place, exactly these texts) and blind-index. */
export interface PrefetchWork {
  readonly seals?: readonly { place: SealedPlace; plaintexts: readonly string[] }[];
  readonly pairs?: readonly { name: string; value: string }[];
}

/**
 * Seals what a domain stores (object payloads, dead-lettered records, profile fields, history, merge
 * records) under the domain's data key; src/security/kms/domain-keys.ts implements it over KMS (so a
 * disabled key makes `boxesIn` fail with KMS's error). A domain without a data key (created before
 * encryption) stores and reads values as they are; one with a data key refuses a value that is not
 * sealed.
 */
export interface DomainSealer {
  /**
   * Refuses (CONFLICT) a domain whose rows of an earlier release are not converted yet (its key was
   * unusable when this process started): serving it would mix plain and sealed rows. The conversion
   * itself asks with `anyFormat`. An operation that asked for values ahead (`prefetch`) passes
   * `prefetched`: the boxes then let an answer the seal worker already sent be delivered (two turns of
   * the event loop), without waiting for work it is still doing; others never wait.
   */
  boxesIn(
    q: Queryable,
    domainName: string,
    o?: { anyFormat?: boolean; prefetched?: boolean },
  ): Promise<DomainBoxes>;
  /**
   * Asks for values that a later operation of the domain will seal and blind-index to be computed now,
   * off the main thread (a sealer that can; a domain with a data key that an operation used already).
   * Returns at once; what is ready when that operation's boxes need it is taken instead of being
   * computed inline, and nothing else changes. Absent when the sealer seals everything inline (no
   * seal worker: `sealAhead`, docs/configuration.md), so callers skip the mapping ahead too.
   */
  readonly prefetch?: ((domainName: string, work: PrefetchWork) => void) | undefined;
}

const identity: SecretBox = { seal: (s) => s, open: (s) => s };

/** Boxes that store values as they are (a domain without a data key). */
export const plainBoxes: DomainBoxes = { at: () => identity, index: (_name, value) => value, blind: false };

/** No encryption: values are stored as they are (stores composed without KMS, e.g. in unit tests). */
export const plainSealer: DomainSealer = { boxesIn: async () => plainBoxes };
