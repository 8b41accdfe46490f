import type { Authorizer } from "../security/iam/authorizer.ts";
import type { DomainKeyAccess } from "../services/domain-service.ts";

/**
 * UpdateDomain's key check through the authorizer, as Customer Profiles' own KMS requests for the
 * caller (`kms:ViaService` = `profile.{region}.amazonaws.com`, the domain's encryption context as
 * src/security/kms/domain-keys.ts wraps the data key with): kms:Decrypt on the old key, then
 * kms:GenerateDataKey on the new one. Key policies, grants (and their constraints) and IAM policies
 * decide as for a direct call; the root passes; each decision is in the audit trail.
 */
export function domainKeyAccess(authorizer: Authorizer, region: string): DomainKeyAccess {
  return {
    async authorizeRewrap(caller, domainName, fromKey, toKey) {
      const base = {
        service: "kms",
        params: {},
        accessKeyId: caller.accessKeyId,
        viaService: `profile.${region}.amazonaws.com`,
        ...(caller.requestId ? { requestId: caller.requestId } : {}),
      };
      const EncryptionContext = { "aws:profile:domain": domainName };
      await authorizer.authorize({
        ...base,
        operation: "Decrypt",
        body: { KeyId: fromKey, EncryptionContext },
      });
      await authorizer.authorize({
        ...base,
        operation: "GenerateDataKey",
        body: { KeyId: toKey, EncryptionContext },
      });
    },
  };
}
