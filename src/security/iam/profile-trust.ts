import type { Clock } from "../../core/clock.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { IamRole } from "./iam-store.ts";
import type { Principals } from "./principals.ts";

/** The service principal a workflow's role must trust (Customer Profiles). */
export const PROFILE_SERVICE_PRINCIPAL = "profile.amazonaws.com";

/**
 * Whether the role's trust policy lets `profile.amazonaws.com` perform sts:AssumeRole on it (evaluated as
 * a resource-based policy with the service principal), with the confused-deputy keys AWS sets when a
 * service assumes a role for a resource: `aws:SourceAccount` the account, `aws:SourceArn` the domain's
 * ARN (`arn:aws:profile:{region}:{account}:domains/{domain}`). Asked when CreateIntegrationWorkflow is
 * given the role and again each time the workflow acts as it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function trustsCustomerProfiles(
  principals: Principals,
  role: Pick<IamRole, "roleName" | "arn" | "trustPolicy">,
  source: { account: string; domainArn: string },
  clock: Clock,
): boolean {
  const now = clock.now();
  const trust = [
    { name: `${role.roleName} trust policy`, document: principals.parsed(role.trustPolicy, "trust") },
  ];
  const e = evaluatePolicies(trust, {
    action: "sts:AssumeRole",
    resource: role.arn,
    context: contextValues({
      "aws:SourceAccount": source.account,
      "aws:SourceArn": source.domainArn,
      "aws:CurrentTime": new Date(now).toISOString(),
      "aws:EpochTime": String(Math.floor(now / 1000)),
    }),
    principal: { type: "Service", ids: [PROFILE_SERVICE_PRINCIPAL] },
  });
  return e.decision === "Allow";
}
