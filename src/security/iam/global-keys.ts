import type { Principal } from "./principals.ts";

/**
 * The global condition keys of a request by `p` at `now` in `region`: aws:PrincipalArn (the role's ARN
 * for a session), aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid, aws:CurrentTime,
 * aws:EpochTime, aws:SecureTransport (plain HTTP), aws:RequestedRegion.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export function globalKeys(p: Principal, now: number, region: string): Record<string, string> {
  const keys: Record<string, string> = {
    "aws:PrincipalAccount": p.account,
    "aws:userid": p.userId,
    "aws:CurrentTime": new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(now / 1000)),
    "aws:SecureTransport": "false",
    "aws:RequestedRegion": region,
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
