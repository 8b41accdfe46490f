import { describe, expect, it } from "vitest";
import { conditionApplies as applies, decide, policy } from "./helpers.ts";

// Security review of issue 16: policy variables inside ARN condition values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
describe("ARN operators with policy variables", () => {
  const me = "arn:aws:iam::111122223333:user/alice";

  it("a variable whose name holds a colon (${aws:PrincipalAccount}) is resolved before the ARN is split", () => {
    const c = { ArnLike: { "aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*" } };
    expect(applies(c, { "aws:SourceArn": me, "aws:PrincipalAccount": "111122223333" })).toBe(true);
    expect(applies(c, { "aws:SourceArn": me, "aws:PrincipalAccount": "444455556666" })).toBe(false);
    const whole = { ArnEquals: { "aws:SourceArn": "${aws:PrincipalArn}" } };
    expect(applies(whole, { "aws:SourceArn": me, "aws:PrincipalArn": me })).toBe(true);
    expect(applies(whole, { "aws:SourceArn": `${me}x`, "aws:PrincipalArn": me })).toBe(false);
  });

  it("a Deny conditioned with ArnLike on a variable applies (it was silently skipped)", () => {
    const allow = policy({ Effect: "Allow", Action: "svc:*", Resource: "*" });
    const deny = policy({
      Effect: "Deny",
      Action: "svc:Do",
      Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*" } },
    });
    const context = { "aws:PrincipalArn": me, "aws:PrincipalAccount": "111122223333" };
    expect(decide([allow, deny], { action: "svc:Do", context })).toBe("ExplicitDeny");
  });

  it("a substituted value's wildcard characters stay literal; a missing variable matches nothing", () => {
    const c = { ArnLike: { "aws:SourceArn": "arn:aws:sns:us-east-1:${svc:acct}:topic" } };
    expect(applies(c, { "aws:SourceArn": "arn:aws:sns:us-east-1:1:topic", "svc:acct": "*" })).toBe(false);
    expect(applies(c, { "aws:SourceArn": "arn:aws:sns:us-east-1:1:topic" })).toBe(false);
    expect(
      applies(
        { ArnNotLike: { "aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*" } },
        { "aws:SourceArn": me, "aws:PrincipalAccount": "111122223333" },
      ),
    ).toBe(false);
  });
});
