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

/** The service principal a workflow's role must trust (Customer Profiles). */
export const PROFILE_SERVICE_PRINCIPAL = "profile.amazonaws.com";

/** What the check decided: the role the workflow acts as, or the root's legacy mode (no stored role). */
export type WorkflowRoleDecision = { kind: "role"; roleArn: string } | { kind: "legacy" };

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[^/]*\/)*([^/]+)$/;
const MEMBER = "RoleArn";

/**
 * CreateIntegrationWorkflow's role check: the role must exist in the account, its trust policy must
 * let `profile.amazonaws.com` assume it (sts:AssumeRole, evaluated as a resource-based policy with the
 * service principal), and the caller must be allowed `iam:PassRole` on it (the root always is). The
 * account root naming a role that does not exist keeps the behaviour from before roles were enforced
 * (the ARN is stored only): `legacy`.
 */
export class WorkflowRoleCheck {
  constructor(
    private readonly principals: Principals,
    private readonly iam: IamStore,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly account: string,
    /** Where the iam:PassRole decision is recorded (allowed and denied alike). */
    private readonly audit?: AuditLog,
  ) {}

  async check(
    q: Queryable,
    accessKeyId: string,
    roleArn: string,
    requestId = "",
  ): Promise<WorkflowRoleDecision> {
    const caller = await this.principals.principalOf(accessKeyId);
    const m = ROLE_ARN.exec(roleArn);
    const role = m && m[1] === this.account ? await this.iam.findRole(q, m[2]!) : undefined;
    const exists = role !== undefined && role.arn === roleArn;
    if (!exists && caller.kind === "root") return { kind: "legacy" };
    const keys = globalKeys(caller, this.clock.now(), this.region);
    if (caller.kind !== "root") {
      // PassRole is decided before the role is looked at: a caller without it learns nothing of the role.
      const e = evaluatePolicies(await this.principals.policiesOf(q, caller), {
        action: "iam:PassRole",
        resource: roleArn,
        context: contextValues({ ...keys, "iam:PassedToService": PROFILE_SERVICE_PRINCIPAL }),
      });
      await this.audit?.record(q, {
        requestId,
        principalArn: caller.arn,
        action: "iam:PassRole",
        resource: roleArn,
        decision: e.decision,
      });
      if (e.decision !== "Allow") {
        throw new ProfileflowError(
          "ACCESS_DENIED",
          denialMessage(caller.arn, "iam:PassRole", roleArn, e.decision),
          { action: "iam:PassRole", resource: roleArn, decision: e.decision },
        );
      }
    }
    if (!exists || !role) throw invalid(MEMBER, `Role ${roleArn} does not exist.`);
    const trust = [
      { name: `${role.roleName} trust policy`, document: this.principals.parsed(role.trustPolicy, "trust") },
    ];
    const byTrust = evaluatePolicies(trust, {
      action: "sts:AssumeRole",
      resource: role.arn,
      context: contextValues({
        "aws:SourceAccount": this.account,
        "aws:CurrentTime": new Date(this.clock.now()).toISOString(),
        "aws:EpochTime": String(Math.floor(this.clock.now() / 1000)),
      }),
      principal: { type: "Service", ids: [PROFILE_SERVICE_PRINCIPAL] },
    });
    if (byTrust.decision !== "Allow") {
      throw invalid(
        MEMBER,
        `Customer Profiles is unable to assume role ${roleArn}: its trust policy must allow ${PROFILE_SERVICE_PRINCIPAL} to perform sts:AssumeRole.`,
      );
    }
    return { kind: "role", roleArn: role.arn };
  }
}
