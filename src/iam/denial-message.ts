import type { Decision } from "./policy-evaluator.ts";

/** Which kind of policy refused: the caller's own (identity-based) or the resource's (a trust policy). */
export type PolicyType = "identity-based" | "resource-based";

/**
 * AWS's AccessDenied message: "User: arn:… is not authorized to perform: profile:GetDomain on
 * resource: arn:… because no identity-based policy allows the profile:GetDomain action", or "… with an
 * explicit deny in an identity-based policy".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export function denialMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: Exclude<Decision, "Allow">,
  policyType: PolicyType = "identity-based",
): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  return decision === "ExplicitDeny"
    ? `${head} with an explicit deny in an ${policyType} policy`
    : `${head} because no ${policyType} policy allows the ${action} action`;
}
