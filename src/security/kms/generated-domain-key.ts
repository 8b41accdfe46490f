import type { Queryable } from "../../db/queryable.ts";
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
 * were tagged, a key already pending deletion, and a generated key that something else still uses —
 * another domain (given as its DefaultEncryptionKey, or wrapping its data key) or a connector profile's
 * `kmsArn`. Returns the ARN scheduled, if any.
 */
export async function scheduleGeneratedKeyDeletionIn(
  kms: KmsService,
  tx: Queryable,
  domainName: string,
): Promise<string | undefined> {
  const domain = await tx
    .selectFrom("domains")
    .select("generated_encryption_key")
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  const arn = domain?.generated_encryption_key;
  if (!arn) return undefined;
  const tag = await tx
    .selectFrom("resource_tags")
    .select("tag_value")
    .where("resource_arn", "=", arn)
    .where("tag_key", "=", GENERATED_FOR_DOMAIN_TAG)
    .executeTakeFirst();
  if (tag?.tag_value !== domainName) return undefined;
  if (await usedElsewhere(tx, arn, domainName)) return undefined;
  const key = await kms.describeKeyIn(tx, arn).catch(() => undefined);
  if (!key || key.state === "PendingDeletion") return undefined;
  await kms.scheduleKeyDeletionIn(tx, arn, GENERATED_KEY_PENDING_WINDOW_DAYS);
  return arn;
}

async function usedElsewhere(tx: Queryable, arn: string, domainName: string): Promise<boolean> {
  const domain = await tx
    .selectFrom("domains")
    .select("domain_name")
    .where("domain_name", "!=", domainName)
    .where((eb) => eb.or([eb("default_encryption_key", "=", arn), eb("generated_encryption_key", "=", arn)]))
    .executeTakeFirst();
  if (domain) return true;
  const dataKey = await tx
    .selectFrom("domain_data_keys")
    .select("domain_name")
    .where("domain_name", "!=", domainName)
    .where("key_arn", "=", arn)
    .executeTakeFirst();
  if (dataKey) return true;
  const profile = await tx
    .selectFrom("connector_profiles")
    .select("kms_arn")
    .where("kms_arn", "=", arn)
    .executeTakeFirst();
  return profile !== undefined;
}
