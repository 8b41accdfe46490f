import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import {
  type AuthorizationTarget,
  authorizationTarget,
  type OperationRequest,
} from "../../iam/operation-actions.ts";
import type { PolicyDocument } from "../../iam/policy-document.ts";
import { type Decision, evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { KmsAuthorization } from "../kms/kms-authorization.ts";
import { type AuditLog, isMutating } from "./audit-log.ts";
import { globalKeys } from "./global-keys.ts";
import type { Principals } from "./principals.ts";

/** One signed request, as the edge hands it to the authorizer. */
export interface AuthorizationInput extends Omit<OperationRequest, "region" | "account"> {
  accessKeyId: string;
  /** The request's `x-amzn-RequestId` (recorded with the decision in the audit trail). */
  requestId?: string;
  /**
   * A KMS request a service makes for the caller (`kms:ViaService`, e.g. `profile.us-east-1.amazonaws.com`
   * when UpdateDomain re-wraps a domain's data key under another key).
   */
  viaService?: string;
}

/**
 * Authorizes every request with AWS's evaluation logic: the operation's action on its resource, against
 * the caller's identity-based policies (managed and inline), with the global condition keys of the
 * request. The account root is always allowed. A denial is AccessDenied with AWS's sentence.
 */
export class Authorizer {
  /** KMS's key policies and grants (set by the composition root once KMS is composed). */
  kms: KmsAuthorization | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly principals: Principals,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly account: string,
    private readonly audit?: AuditLog,
  ) {}

  /**
   * The ARN of the resource as it is stored, for a request that names it in a shorter form: an IAM
   * user or role named by name has the path it was created with (whatever Path member the request
   * carries), and a secret named by name has its ARN with AWS's random suffix (so that `secret:name-??????`
   * matches however the caller names it). A resource that does not exist keeps the ARN built.
   */
  private async storedResource(input: AuthorizationInput, resource: string): Promise<string> {
    if (input.service === "iam" && !/^Create(User|Role)$/.test(input.operation)) {
      const m = IAM_ENTITY.exec(resource);
      if (m && m[1] === this.account) {
        return (await this.principals.entityArn(this.db, m[2] as "user" | "role", m[3]!)) ?? resource;
      }
    }
    if (input.service === "secretsmanager" && resource !== "*") {
      const body = (input.body ?? {}) as Record<string, unknown>;
      const id = body["SecretId"];
      if (typeof id === "string" && id !== "") {
        const row = await this.db
          .selectFrom("secrets")
          .select("arn")
          .where((eb) => eb.or([eb("name", "=", id), eb("arn", "=", id)]))
          .executeTakeFirst();
        if (row) return row.arn;
      }
    }
    if (input.service === "kms" && this.kms) {
      return this.kms.resource(this.db, input.operation, input.body, resource);
    }
    return resource;
  }

  /**
   * Authorizes the request; CreateAlias and UpdateAlias are authorized on the alias and on the key it
   * is to point to (TargetKeyId), UpdateAlias on the key it points to now as well, as KMS does.
   * https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
   */
  async authorize(input: AuthorizationInput): Promise<void> {
    await this.#authorizeOne(input);
    if (input.service !== "kms" || !/^(Create|Update)Alias$/.test(input.operation)) return;
    const body = (input.body ?? {}) as Record<string, unknown>;
    const target = body["TargetKeyId"];
    if (typeof target === "string") await this.#authorizeOne({ ...input, body: { KeyId: target } });
    const alias = body["AliasName"];
    if (input.operation === "UpdateAlias" && typeof alias === "string" && this.kms) {
      const current = await this.kms.aliasKey(this.db, alias);
      if (current) await this.#authorizeOne({ ...input, body: { KeyId: current } });
    }
  }

  async #authorizeOne(input: AuthorizationInput): Promise<void> {
    const principal = await this.principals.principalOf(input.accessKeyId);
    const request = { ...input, region: this.region, account: this.account };
    const target = authorizationTarget(
      principal.kind === "user" ? { ...request, callerUserArn: principal.arn } : request,
    );
    if (!target) return;
    const mutating = isMutating(target.action);
    // A change to IAM made by this process applies to the next request at once (cached policy sets dropped).
    if (mutating && target.action.startsWith("iam:")) this.principals.iamChanged();
    if (principal.kind === "root") {
      // The account root is always allowed; its mutating calls are recorded like anyone's.
      if (this.audit && mutating) {
        target.resource = await this.storedResource(input, target.resource);
        await this.#record(input, principal.arn, target, "Allow");
      }
      return;
    }
    target.resource = await this.storedResource(input, target.resource);
    const policies = await this.principals.policiesOf(this.db, principal);
    const keys: Record<string, string | string[] | undefined> = globalKeys(
      principal,
      this.clock.now(),
      this.region,
    );
    if (target.requestTags) {
      keys["aws:TagKeys"] = Object.keys(target.requestTags);
      for (const [k, v] of Object.entries(target.requestTags)) keys[`aws:RequestTag/${k}`] = v;
    }
    if (input.service === "kms" && this.kms) {
      Object.assign(keys, this.kms.contextKeys(input.body, principal.account));
      if (input.viaService) keys["kms:ViaService"] = input.viaService;
    }
    // The resource's tags are read only when a policy may look at them (a key policy might).
    const tagsNeeded = input.service === "kms" || policies.some((p) => readsResourceTags(p.document));
    if (target.resource !== "*" && tagsNeeded) {
      const tags = await this.db
        .selectFrom("resource_tags")
        .select(["tag_key", "tag_value"])
        .where("resource_arn", "=", target.resource)
        .execute();
      for (const t of tags) keys[`aws:ResourceTag/${t.tag_key}`] = t.tag_value;
    }
    const e = evaluatePolicies(policies, {
      action: target.action,
      resource: target.resource,
      context: contextValues(keys),
    });
    const kms =
      input.service === "kms" && this.kms
        ? await this.kms.decide(
            this.db,
            {
              action: target.action,
              resource: target.resource,
              context: contextValues(keys),
              principal: {
                type: "AWS",
                ids: principal.kind === "role" ? [principal.arn, principal.roleArn] : [principal.arn],
                account: principal.account,
              },
            },
            e.decision,
            input.body,
          )
        : undefined;
    const decision = kms?.decision ?? e.decision;
    if (this.audit && mutating) await this.#record(input, principal.arn, target, decision);
    if (decision !== "Allow") {
      throw new ProfileflowError(
        "ACCESS_DENIED",
        denialMessage(principal.arn, target.action, target.resource, decision, kms?.policyType),
        {
          action: target.action,
          resource: target.resource,
          decision,
        },
      );
    }
  }

  /** One decision into the audit trail, right after it is made (before the handler runs). */
  async #record(
    input: AuthorizationInput,
    principalArn: string,
    target: AuthorizationTarget,
    decision: Decision,
  ): Promise<void> {
    await this.audit!.recordOwn(this.db, {
      requestId: input.requestId ?? "",
      principalArn,
      action: target.action,
      resource: target.resource,
      decision,
    });
  }
}

const RESOURCE_TAG = "aws:resourcetag/";
const readsTags = new WeakMap<PolicyDocument, boolean>();

/**
 * Whether a policy looks at `aws:ResourceTag/…` (a condition key, or a policy variable in a resource
 * or condition value): only then are the resource's tags read for the request.
 */
function readsResourceTags(doc: PolicyDocument): boolean {
  let reads = readsTags.get(doc);
  if (reads === undefined) {
    const mentions = (v: string) => v.toLowerCase().includes(RESOURCE_TAG);
    reads = doc.statements.some(
      (st) =>
        st.conditions.some((c) => c.keyLower.startsWith(RESOURCE_TAG) || c.values.some(mentions)) ||
        (st.resource ?? []).some(mentions) ||
        (st.notResource ?? []).some(mentions),
    );
    readsTags.set(doc, reads);
  }
  return reads;
}

/** The account's IAM user or role ARN `user/{path}{name}` / `role/{path}{name}`, parsed. */
const IAM_ENTITY = /^arn:aws:iam::(\d{12}):(user|role)\/(?:[^/]*\/)*([^/]+)$/;
