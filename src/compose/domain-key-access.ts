import { ProfileflowError } from "../core/errors.ts";
import type { Authorizer } from "../security/iam/authorizer.ts";
import type { DomainCaller, DomainKeyAccess } from "../services/domain-service.ts";

/**
 * The domain key checks of CreateDomain and UpdateDomain through the authorizer, as Customer Profiles'
 * own KMS requests for the caller (`kms:ViaService` = `profile.{region}.amazonaws.com`, the domain's
 * encryption context as src/security/kms/domain-keys.ts wraps the data key with): UpdateDomain needs
 * kms:Decrypt on the old key and kms:GenerateDataKey on the new one, CreateDomain with a given key
 * kms:GenerateDataKey on it, DeleteDomain kms:ScheduleKeyDeletion on the key generated for the domain
 * (refused: the key stays, the domain is deleted). Key policies, grants (and their constraints) and IAM policies decide as
 * for a direct call; the root passes; each decision is in the audit trail.
 */
export function domainKeyAccess(authorizer: Authorizer, region: string): DomainKeyAccess {
  const use = (caller: DomainCaller, operation: string, key: string, domainName: string) =>
    authorizer.authorize({
      service: "kms",
      operation,
      params: {},
      body: { KeyId: key, EncryptionContext: { "aws:profile:domain": domainName } },
      accessKeyId: caller.accessKeyId,
      viaService: `profile.${region}.amazonaws.com`,
      ...(caller.requestId ? { requestId: caller.requestId } : {}),
    });
  return {
    async authorizeRewrap(caller, domainName, fromKey, toKey) {
      await use(caller, "Decrypt", fromKey, domainName);
      await use(caller, "GenerateDataKey", toKey, domainName);
    },
    async authorizeUse(caller, domainName, key) {
      await use(caller, "GenerateDataKey", key, domainName);
    },
    async mayScheduleKeyDeletion(caller, _domainName, key) {
      try {
        await authorizer.authorize({
          service: "kms",
          operation: "ScheduleKeyDeletion",
          params: {},
          body: { KeyId: key },
          accessKeyId: caller.accessKeyId,
          viaService: `profile.${region}.amazonaws.com`,
          ...(caller.requestId ? { requestId: caller.requestId } : {}),
        });
        return true;
      } catch (e) {
        if (e instanceof ProfileflowError && e.code === "ACCESS_DENIED") return false;
        throw e;
      }
    },
  };
}
