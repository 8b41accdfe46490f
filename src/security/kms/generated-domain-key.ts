import { ProfileflowError } from "../../core/errors.ts";
import { dialectOf } from "../../db/dialect.ts";
import type { Queryable } from "../../db/queryable.ts";
import { blobKeyId } from "./ciphertext-blob.ts";
import type { KmsKey } from "./kms-key-store.ts";
import type { KmsService } from "./kms-service.ts";

/**
 * The tag a key generated for a domain carries (its value the domain's name): CreateDomain without
 * DefaultEncryptionKey creates it. Tag keys beginning with `aws:` are reserved (CreateKey refuses them),
 * so no key a customer made or gave carries it.
 */
export const GENERATED_FOR_DOMAIN_TAG = "aws:profile:generated-for-domain";

/** KMS's default waiting period (ScheduleKeyDeletion without PendingWindowInDays): 30 days. */
export const GENERATED_KEY_PENDING_WINDOW_DAYS = 30;

/** The tags of the key generated for `domainName`. */
export function generatedKeyTags(domainName: string): Record<string, string> {
  return { [GENERATED_FOR_DOMAIN_TAG]: domainName };
}

/**
 * DeleteDomain, in its transaction: the key generated for the domain is scheduled for deletion with
 * KMS's default waiting period (PendingDeletion; CancelKeyDeletion brings it back, Disabled, until the
 * date). Left alone: a key the customer gave (it does not carry the tag), a key generated before keys
 * were tagged, a key already pending deletion, a generated key that something else still uses —
 * another domain (given as its DefaultEncryptionKey, or wrapping its data key) or a connector profile's
 * `kmsArn`, however each names it (key id, key ARN, alias, alias ARN) — and, when `may` is given (the
 * caller's kms:ScheduleKeyDeletion, decided before the transaction), a key it does not allow. Returns
 * the ARN scheduled, if any.
 */
export async function scheduleGeneratedKeyDeletionIn(
  kms: KmsService,
  tx: Queryable,
  domainName: string,
  may?: (keyArn: string) => boolean,
): Promise<string | undefined> {
  const key = await generatedKeyToScheduleIn(kms, tx, domainName, true);
  if (!key || (may && !may(key.arn))) return undefined;
  await kms.scheduleKeyDeletionIn(tx, key.arn, GENERATED_KEY_PENDING_WINDOW_DAYS);
  return key.arn;
}

/**
 * The key DeleteDomain would schedule for deletion now (see scheduleGeneratedKeyDeletionIn), or
 * undefined: asked before DeleteDomain's transaction too, to decide the caller's kms:ScheduleKeyDeletion.
 */
export async function generatedKeyToScheduleIn(
  kms: KmsService,
  q: Queryable,
  domainName: string,
  /** Inside DeleteDomain's transaction: the key's row locked before its uses are looked for. */
  lock = false,
): Promise<KmsKey | undefined> {
  const domain = await q
    .selectFrom("domains")
    .select("generated_encryption_key")
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  const arn = domain?.generated_encryption_key;
  if (!arn) return undefined;
  const tag = await q
    .selectFrom("resource_tags")
    .select("tag_value")
    .where("resource_arn", "=", arn)
    .where("tag_key", "=", GENERATED_FOR_DOMAIN_TAG)
    .executeTakeFirst();
  if (tag?.tag_value !== domainName) return undefined;
  // PostgreSQL (READ COMMITTED): a domain or connector profile adopting the key holds its row FOR SHARE
  // until it commits (DomainKeys.checkIn); locking it FOR UPDATE here waits for such a commit, so the
  // look for uses below sees it, and an adopter that comes later waits for this commit and then finds
  // the key PendingDeletion and refuses it. SQLite's one writer serializes them already.
  if (lock && dialectOf(q) === "postgres") {
    await q.selectFrom("kms_keys").select("key_id").where("arn", "=", arn).forUpdate().execute();
  }
  // Only "no such key" means there is nothing to retire: any other failure (a failed statement aborts a
  // PostgreSQL transaction) must reach the caller, not be taken for a missing key.
  const key = await kms.describeKeyIn(q, arn).catch((e: unknown) => {
    if (e instanceof ProfileflowError && e.code === "RESOURCE_NOT_FOUND") return undefined;
    throw e;
  });
  if (!key || key.state === "PendingDeletion") return undefined;
  if (await usedElsewhere(q, key, domainName)) return undefined;
  return key;
}

/**
 * Whether something besides `domainName` uses `key`. A domain's DefaultEncryptionKey, a data key's
 * `key_arn` and a connector profile's `kmsArn` are stored as the caller wrote them — key id, key ARN,
 * alias name or alias ARN — so each is compared by the key it names now: any of the key's names (its
 * id, its ARN, the aliases pointing at it and their ARNs). A data key is wrapped under the key its
 * blob names, whatever alias it was given through (an alias may point elsewhere since).
 */
async function usedElsewhere(tx: Queryable, key: KmsKey, domainName: string): Promise<boolean> {
  const names = await namesOf(tx, key);
  const domain = await tx
    .selectFrom("domains")
    .select("domain_name")
    .where("domain_name", "!=", domainName)
    .where((eb) =>
      eb.or([eb("default_encryption_key", "in", names), eb("generated_encryption_key", "in", names)]),
    )
    .executeTakeFirst();
  if (domain) return true;
  const dataKeys = await tx
    .selectFrom("domain_data_keys")
    .select(["key_arn", "wrapped_key"])
    .where("domain_name", "!=", domainName)
    .execute();
  if (dataKeys.some((d) => names.includes(d.key_arn) || wrappedUnder(d.wrapped_key) === key.keyId)) {
    return true;
  }
  const profile = await tx
    .selectFrom("connector_profiles")
    .select("kms_arn")
    .where("kms_arn", "in", names)
    .executeTakeFirst();
  return profile !== undefined;
}

/** Every string that names `key` now (what KmsKeyStore.resolve maps to it). */
async function namesOf(tx: Queryable, key: KmsKey): Promise<string[]> {
  const aliases = await tx
    .selectFrom("kms_aliases")
    .select("alias_name")
    .where("target_key_id", "=", key.keyId)
    .execute();
  const prefix = key.arn.slice(0, key.arn.length - `key/${key.keyId}`.length);
  return [key.keyId, key.arn, ...aliases.flatMap((a) => [a.alias_name, `${prefix}${a.alias_name}`])];
}

/** The key id a wrapped data key's blob names (undefined for one that is not a blob of ours). */
function wrappedUnder(wrapped: string): string | undefined {
  try {
    return blobKeyId(Buffer.from(wrapped, "base64"));
  } catch {
    return undefined;
  }
}
