import type { Queryable } from "../../db/queryable.ts";
import { type PolicyDocument, parsePolicyDocument, type Statement } from "../../iam/policy-document.ts";
import { type Decision, evaluatePolicies } from "../../iam/policy-evaluator.ts";
import type { AuthorizationRequest, RequestPrincipal } from "../../iam/request-context.ts";
import { blobKeyId } from "./ciphertext-blob.ts";
import type { GrantConstraints, KmsGrant, KmsGrantStore } from "./kms-grant-store.ts";
import type { KmsKeyStore } from "./kms-key-store.ts";

/** What the KMS key policy check decided, and which kind of policy refused when it did not allow. */
export interface KmsDecision {
  decision: Decision;
  policyType: "identity-based" | "resource-based";
}

/**
 * KMS authorization as AWS does it: the key policy is the primary control. A key policy statement
 * naming the account (`arn:aws:iam::{account}:root` or the account id) lets IAM policies decide (the
 * default key policy has exactly that statement); a statement naming the principal itself allows on
 * its own; a grant whose grantee is the principal allows the grant's operations; an explicit deny
 * anywhere wins. https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
 */
export class KmsAuthorization {
  constructor(
    private readonly keys: KmsKeyStore,
    private readonly grants: KmsGrantStore,
  ) {}

  /**
   * The ARN a KMS request acts on, as stored: an alias (named as KeyId) resolves to its key's ARN, and
   * Decrypt's key is the one its ciphertext blob names. Alias operations keep the alias ARN.
   */
  async resource(q: Queryable, operation: string, body: unknown, resource: string): Promise<string> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (operation === "Decrypt" && resource === "*" && typeof b["CiphertextBlob"] === "string") {
      try {
        return `${this.keys.arnPrefix}key/${blobKeyId(Buffer.from(b["CiphertextBlob"], "base64"))}`;
      } catch {
        return resource;
      }
    }
    if (/Alias$/.test(operation) || !resource.includes(":alias/")) return resource;
    try {
      const keyId = await this.keys.keyIdOf(q, resource);
      return keyId ? `${this.keys.arnPrefix}key/${keyId}` : resource;
    } catch {
      return resource;
    }
  }

  /** The ARN of the key an alias (`alias/…`, or its ARN) points to now, or undefined when none. */
  async aliasKey(q: Queryable, alias: string): Promise<string | undefined> {
    try {
      const keyId = await this.keys.keyIdOf(q, alias);
      return keyId ? `${this.keys.arnPrefix}key/${keyId}` : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * KMS's condition keys of a direct request: `kms:CallerAccount`, `kms:GrantOperations`,
   * `kms:GranteePrincipal`, `kms:RetiringPrincipal` (CreateGrant), `kms:EncryptionContextKeys` and
   * `kms:EncryptionContext:<key>` (cryptographic operations). A service acting for a caller adds
   * `kms:ViaService` itself (src/security/iam/workflow-role-actor.ts).
   * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
   */
  contextKeys(body: unknown, account: string): Record<string, string | string[]> {
    const b = (body ?? {}) as Record<string, unknown>;
    const keys: Record<string, string | string[]> = { "kms:CallerAccount": account };
    if (Array.isArray(b["Operations"])) {
      keys["kms:GrantOperations"] = b["Operations"].filter((o): o is string => typeof o === "string");
    }
    if (typeof b["GranteePrincipal"] === "string") keys["kms:GranteePrincipal"] = b["GranteePrincipal"];
    if (typeof b["RetiringPrincipal"] === "string") keys["kms:RetiringPrincipal"] = b["RetiringPrincipal"];
    const ctx = b["EncryptionContext"];
    if (ctx && typeof ctx === "object" && !Array.isArray(ctx)) {
      const entries = Object.entries(ctx).filter((e): e is [string, string] => typeof e[1] === "string");
      keys["kms:EncryptionContextKeys"] = entries.map(([k]) => k);
      for (const [k, v] of entries) keys[`kms:EncryptionContext:${k}`] = v;
    }
    return keys;
  }

  /**
   * The combined decision of the key policy, the identity-based policies (`identity`) and the grants;
   * `body` is the request's members (a grant's constraints are matched against its EncryptionContext).
   */
  async decide(
    q: Queryable,
    request: AuthorizationRequest & { principal: RequestPrincipal },
    identity: Decision,
    body?: unknown,
  ): Promise<KmsDecision> {
    const keyId = keyIdOfArn(request.resource, this.keys.arnPrefix);
    const row =
      keyId &&
      (await q.selectFrom("kms_keys").select("policy").where("key_id", "=", keyId).executeTakeFirst());
    // No such key: the operation answers NotFoundException; IAM's answer stands meanwhile.
    if (!keyId || !row) return { decision: identity, policyType: "identity-based" };
    const doc = parsePolicyDocument(row.policy, "resource");
    const account = request.principal.account ?? "";
    const delegating = (s: Statement) => s.effect === "Allow" && namesAccount(s, account);
    const direct = evaluate(doc, (s) => !delegating(s), request);
    const delegated = evaluate(doc, delegating, request);
    if (direct === "ExplicitDeny") return { decision: "ExplicitDeny", policyType: "resource-based" };
    if (identity === "ExplicitDeny") return { decision: "ExplicitDeny", policyType: "identity-based" };
    if (direct === "Allow" || (delegated === "Allow" && identity === "Allow")) {
      return { decision: "Allow", policyType: "resource-based" };
    }
    if (await this.granted(q, keyId, request, body))
      return { decision: "Allow", policyType: "resource-based" };
    return {
      decision: "ImplicitDeny",
      policyType: delegated === "Allow" ? "identity-based" : "resource-based",
    };
  }

  private async granted(
    q: Queryable,
    keyId: string,
    request: AuthorizationRequest & { principal: RequestPrincipal },
    body: unknown,
  ) {
    const operation = request.action.slice("kms:".length);
    const grants = await this.grants.granted(q, keyId, request.principal.ids);
    return grants.some((g) => g.operations.includes(operation) && withinConstraints(g, operation, body));
  }
}

/** Operations whose request carries an EncryptionContext (a grant's constraints apply to them). */
const CONTEXT_OPERATIONS = new Set([
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "ReEncryptFrom",
  "ReEncryptTo",
]);

/**
 * Whether a request satisfies a grant's constraints, as KMS applies them: for an operation with an
 * encryption context, EncryptionContextEquals needs the request's context to be exactly the
 * constraint's, EncryptionContextSubset needs it to include every pair of the constraint (keys and
 * values case-sensitive; a missing context is the empty one). For CreateGrant the new grant's
 * constraints must be equally strict or stricter. Other operations (DescribeKey, RetireGrant) are not
 * constrained. https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
 */
export function withinConstraints(grant: KmsGrant, operation: string, body: unknown): boolean {
  const c = grant.constraints;
  if (!c || (!c.EncryptionContextEquals && !c.EncryptionContextSubset)) return true;
  const b = (body ?? {}) as Record<string, unknown>;
  if (operation === "CreateGrant") return atLeastAsStrict(asContext(b["Constraints"]), c);
  if (!CONTEXT_OPERATIONS.has(operation)) return true;
  return satisfies(asContext(b["EncryptionContext"]) ?? {}, c);
}

function satisfies(context: Record<string, unknown>, c: GrantConstraints): boolean {
  const has = (pairs: Record<string, string>) =>
    Object.entries(pairs).every(([k, v]) => Object.hasOwn(context, k) && context[k] === v);
  if (c.EncryptionContextEquals) {
    const equals = c.EncryptionContextEquals;
    if (Object.keys(context).length !== Object.keys(equals).length || !has(equals)) return false;
  }
  return !c.EncryptionContextSubset || has(c.EncryptionContextSubset);
}

/** Whether a new grant's constraints (`child`) allow no context that the issuing grant's refuse. */
function atLeastAsStrict(child: Record<string, unknown> | undefined, parent: GrantConstraints): boolean {
  const equals = asContext(child?.["EncryptionContextEquals"]);
  const subset = asContext(child?.["EncryptionContextSubset"]);
  // Every context the child allows under Equals is exactly `equals`: it must satisfy the parent.
  if (equals) return satisfies(equals, parent);
  // Under Subset alone the child allows any superset of `subset`: only a Subset parent it includes holds.
  if (!subset || parent.EncryptionContextEquals) return false;
  return satisfies(subset, { EncryptionContextSubset: parent.EncryptionContextSubset ?? {} });
}

function asContext(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function evaluate(
  doc: PolicyDocument,
  which: (s: Statement) => boolean,
  request: AuthorizationRequest,
): Decision {
  const statements = doc.statements.filter(which);
  if (statements.length === 0) return "ImplicitDeny";
  return evaluatePolicies([{ name: "key policy", document: { ...doc, statements } }], request).decision;
}

/** Whether a statement's Principal names the whole account (delegation to IAM policies). */
function namesAccount(s: Statement, account: string): boolean {
  if (s.principal === undefined || s.principal === "*") return false;
  return (s.principal["AWS"] ?? []).some((p) => p === account || p === `arn:aws:iam::${account}:root`);
}

function keyIdOfArn(resource: string, prefix: string): string | undefined {
  return resource.startsWith(`${prefix}key/`) ? resource.slice(prefix.length + 4) : undefined;
}
