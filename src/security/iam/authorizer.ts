import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import { authorizationTarget, type OperationRequest } from "../../iam/operation-actions.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { Principal, Principals } from "./principals.ts";

/** One signed request, as the edge hands it to the authorizer. */
export interface AuthorizationInput extends Omit<OperationRequest, "region" | "account"> {
  accessKeyId: string;
}

/**
 * Authorizes every request with AWS's evaluation logic: the operation's action on its resource, against
 * the caller's identity-based policies (managed and inline), with the global condition keys of the
 * request. The account root is always allowed. A denial is AccessDenied with AWS's sentence.
 */
export class Authorizer {
  constructor(
    private readonly db: Queryable,
    private readonly principals: Principals,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly account: string,
  ) {}

  async authorize(input: AuthorizationInput): Promise<void> {
    const principal = await this.principals.principalOf(input.accessKeyId);
    if (principal.kind === "root") return;
    const request = { ...input, region: this.region, account: this.account };
    const target = authorizationTarget(
      principal.kind === "user" ? { ...request, callerUserArn: principal.arn } : request,
    );
    if (!target) return;
    const policies = await this.principals.policiesOf(this.db, principal);
    const now = this.clock.now();
    const keys: Record<string, string | string[] | undefined> = {
      ...principalKeys(principal),
      "aws:CurrentTime": new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      "aws:EpochTime": String(Math.floor(now / 1000)),
      "aws:SecureTransport": "false",
      "aws:RequestedRegion": this.region,
    };
    if (target.requestTags) {
      keys["aws:TagKeys"] = Object.keys(target.requestTags);
      for (const [k, v] of Object.entries(target.requestTags)) keys[`aws:RequestTag/${k}`] = v;
    }
    if (target.resource !== "*") {
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
    if (e.decision !== "Allow") {
      throw new ProfileflowError(
        "ACCESS_DENIED",
        denialMessage(principal.arn, target.action, target.resource, e.decision),
        {
          action: target.action,
          resource: target.resource,
          decision: e.decision,
        },
      );
    }
  }
}

/** The aws:Principal… keys and aws:username / aws:userid of a caller. */
function principalKeys(p: Principal): Record<string, string> {
  const keys: Record<string, string> = {
    "aws:PrincipalAccount": p.account,
    "aws:userid": p.userId,
  };
  if (p.kind === "user") {
    keys["aws:PrincipalArn"] = p.arn;
    keys["aws:PrincipalType"] = "User";
    keys["aws:username"] = p.userName;
  } else if (p.kind === "role") {
    keys["aws:PrincipalArn"] = p.roleArn;
    keys["aws:PrincipalType"] = "AssumedRole";
  }
  return keys;
}
