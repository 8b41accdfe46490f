import { ProfileArns } from "../../core/arns.ts";
import type { Clock } from "../../core/clock.ts";
import { invalid, ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { AuditLog } from "./audit-log.ts";
import { globalKeys } from "./global-keys.ts";
import type { IamStore } from "./iam-store.ts";
import type { Principals } from "./principals.ts";
import { PROFILE_SERVICE_PRINCIPAL, trustsCustomerProfiles } from "./profile-trust.ts";

export { PROFILE_SERVICE_PRINCIPAL } from "./profile-trust.ts";

/** What the check decided: the role the workflow acts as (its stored ARN). */
export interface WorkflowRoleDecision {
  roleArn: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[^/]*\/)*([^/]+)$/;
const MEMBER = "RoleArn";

/**
 * CreateIntegrationWorkflow's role check, for every caller (the account root included, as in AWS): the
 * caller must be allowed `iam:PassRole` on the role (the root always is; the decision is recorded
 * either way), the role must exist in the account, and its trust policy must let
 * `profile.amazonaws.com` assume it (sts:AssumeRole). Anything else is a BadRequestException naming the
 * role and why: no workflow is created that could not act as its role.
 */
export class WorkflowRoleCheck {
  readonly #arns: ProfileArns;

  constructor(
    private readonly principals: Principals,
    private readonly iam: IamStore,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly account: string,
    /** Where the iam:PassRole decision is recorded (allowed and denied alike). */
    private readonly audit?: AuditLog,
  ) {
    this.#arns = new ProfileArns(region, account);
  }

  /** `domainName`: the workflow's domain (its ARN is the trust policy's `aws:SourceArn`). */
  async check(
    q: Queryable,
    accessKeyId: string,
    roleArn: string,
    domainName: string,
    requestId = "",
  ): Promise<WorkflowRoleDecision> {
    const caller = await this.principals.principalOf(accessKeyId);
    // PassRole is decided before the role is looked at: a caller without it learns nothing of the role.
    const decision =
      caller.kind === "root"
        ? "Allow"
        : evaluatePolicies(await this.principals.policiesOf(q, caller), {
            action: "iam:PassRole",
            resource: roleArn,
            context: contextValues({
              ...globalKeys(caller, this.clock.now(), this.region),
              "iam:PassedToService": PROFILE_SERVICE_PRINCIPAL,
            }),
          }).decision;
    await this.audit?.recordOwn(q, {
      requestId,
      principalArn: caller.arn,
      action: "iam:PassRole",
      resource: roleArn,
      decision,
    });
    if (decision !== "Allow") {
      throw new ProfileflowError(
        "ACCESS_DENIED",
        denialMessage(caller.arn, "iam:PassRole", roleArn, decision),
        {
          action: "iam:PassRole",
          resource: roleArn,
          decision,
        },
      );
    }
    const m = ROLE_ARN.exec(roleArn);
    const role = m && m[1] === this.account ? await this.iam.findRole(q, m[2]!) : undefined;
    if (!role || role.arn !== roleArn) {
      throw invalid(
        MEMBER,
        `Role ${roleArn} does not exist: Customer Profiles assumes this role to create resources on your behalf, so it must be a role of account ${this.account} whose trust policy allows ${PROFILE_SERVICE_PRINCIPAL} to perform sts:AssumeRole.`,
      );
    }
    const source = { account: this.account, domainArn: this.#arns.domain(domainName) };
    if (!trustsCustomerProfiles(this.principals, role, source, this.clock)) {
      throw invalid(
        MEMBER,
        `Customer Profiles is unable to assume role ${roleArn}: its trust policy must allow ${PROFILE_SERVICE_PRINCIPAL} to perform sts:AssumeRole.`,
      );
    }
    return { roleArn: role.arn };
  }
}
