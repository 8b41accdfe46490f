import { describe, expect, it } from "vitest";
import { denialMessage } from "../../src/iam/denial-message.ts";
import { parsePolicyDocument } from "../../src/iam/policy-document.ts";
import { evaluatePolicies } from "../../src/iam/policy-evaluator.ts";
import { decide, policy, request } from "./helpers.ts";

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
// "The AllowGetList statement allows read-only access to IAM actions that begin with the prefixes Get
// and List. All other actions in IAM, such as iam:CreatePolicy are implicitly denied. The DenyReports
// statement explicitly denies access to IAM reports by denying access to actions that include the
// Report suffix … If someone adds another policy to this principal to grant them access to IAM
// reports, such as iam:GenerateCredentialReport, report-related requests are still denied."
describe("explicit deny, then allow, else implicit deny", () => {
  const interplay = policy([
    { Sid: "AllowGetList", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
    { Sid: "DenyReports", Effect: "Deny", Action: "iam:*Report", Resource: "*" },
  ]);
  const reportsToo = policy({ Effect: "Allow", Action: "iam:GenerateCredentialReport", Resource: "*" });

  it.each([
    ["iam:GetUser", "Allow"],
    ["iam:ListRoles", "Allow"],
    ["iam:CreatePolicy", "ImplicitDeny"],
    ["iam:GetOrganizationsAccessReport", "ExplicitDeny"],
  ])("%s → %s", (action, decision) => {
    expect(decide([interplay], { action })).toBe(decision);
  });

  it("an allow in another policy does not override the deny", () => {
    expect(decide([interplay, reportsToo], { action: "iam:GenerateCredentialReport" })).toBe("ExplicitDeny");
    expect(decide([reportsToo, interplay], { action: "iam:GenerateCredentialReport" })).toBe("ExplicitDeny");
  });

  it("no policies at all is an implicit deny", () => {
    expect(decide([], { action: "profile:GetDomain" })).toBe("ImplicitDeny");
  });

  it("reports the deciding statement", () => {
    const e = evaluatePolicies(
      [{ name: "ReadOnly", document: interplay }],
      request({ action: "iam:GetCredentialReport" }),
    );
    expect(e).toEqual({
      decision: "ExplicitDeny",
      policy: "ReadOnly",
      sid: "DenyReports",
      statementIndex: 1,
    });
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// "Action element values are case-insensitive … you can use wildcards (* or ?)"
describe("Action and NotAction", () => {
  it("matches case-insensitively, with * and ?", () => {
    const p = policy({
      Effect: "Allow",
      Action: ["PROFILE:getdomain", "appflow:Describe?low"],
      Resource: "*",
    });
    expect(decide([p], { action: "profile:GetDomain" })).toBe("Allow");
    expect(decide([p], { action: "appflow:DescribeFlow" })).toBe("Allow");
    expect(decide([p], { action: "appflow:DescribeFlows" })).toBe("ImplicitDeny");
    expect(decide([p], { action: "profile:GetDomains" })).toBe("ImplicitDeny");
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
  // "allows access to all of the actions in all AWS services, except for the actions in IAM"
  it("NotAction with Allow allows everything but the listed actions", () => {
    const p = policy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" });
    expect(decide([p], { action: "profile:GetDomain" })).toBe("Allow");
    expect(decide([p], { action: "iam:CreateUser" })).toBe("ImplicitDeny");
  });

  // Same page: "Deny … NotAction: iam:* … Condition BoolIfExists aws:MultiFactorAuthPresent false"
  it("NotAction with Deny denies everything but the listed actions", () => {
    const allowAll = policy({ Effect: "Allow", Action: "*", Resource: "*" });
    const denyButIam = policy({
      Effect: "Deny",
      NotAction: "iam:*",
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    });
    expect(decide([allowAll, denyButIam], { action: "profile:GetDomain" })).toBe("ExplicitDeny");
    expect(decide([allowAll, denyButIam], { action: "iam:GetUser" })).toBe("Allow");
    expect(
      decide([allowAll, denyButIam], {
        action: "profile:GetDomain",
        context: { "aws:MultiFactorAuthPresent": "true" },
      }),
    ).toBe("Allow");
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
describe("Resource and NotResource", () => {
  const account = "111122223333";

  it("matches case-sensitively ('In the Resource element, the IAM user name is case sensitive')", () => {
    const p = policy({
      Effect: "Allow",
      Action: "iam:GetUser",
      Resource: `arn:aws:iam::${account}:user/Bob`,
    });
    expect(decide([p], { action: "iam:GetUser", resource: `arn:aws:iam::${account}:user/Bob` })).toBe(
      "Allow",
    );
    expect(decide([p], { action: "iam:GetUser", resource: `arn:aws:iam::${account}:user/bob` })).toBe(
      "ImplicitDeny",
    );
  });

  it("'* … can expand to replace everything within the segment, including characters like a forward slash'", () => {
    const p = policy({
      Effect: "Allow",
      Action: "iam:*",
      Resource: `arn:aws:iam::${account}:user/accounting/*`,
    });
    const arn = (path: string) => ({
      action: "iam:GetUser",
      resource: `arn:aws:iam::${account}:user/${path}`,
    });
    expect(decide([p], arn("accounting/alice"))).toBe("Allow");
    expect(decide([p], arn("accounting/eu/alice"))).toBe("Allow");
    expect(decide([p], arn("sales/alice"))).toBe("ImplicitDeny");
  });

  it("? is one character, * may run past a colon when it ends a segment", () => {
    const p = policy({
      Effect: "Allow",
      Action: "profile:*",
      Resource: ["arn:aws:profile:us-east-1:*", "arn:aws:appflow:us-east-?:*"],
    });
    expect(
      decide([p], {
        action: "profile:GetDomain",
        resource: `arn:aws:profile:us-east-1:${account}:domains/d1`,
      }),
    ).toBe("Allow");
    expect(
      decide([p], { action: "profile:X", resource: `arn:aws:appflow:us-east-2:${account}:flow/f` }),
    ).toBe("Allow");
    expect(
      decide([p], { action: "profile:X", resource: `arn:aws:appflow:us-east-12:${account}:flow/f` }),
    ).toBe("ImplicitDeny");
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
  // "Deny … s3:* … NotResource: HRBucket/Payroll, HRBucket/Payroll/*": everything but the payroll folder is denied.
  it("NotResource with Deny denies every resource but the listed ones", () => {
    const allow = policy({ Effect: "Allow", Action: "s3:*", Resource: "*" });
    const deny = policy({
      Effect: "Deny",
      Action: "s3:*",
      NotResource: ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
    });
    expect(
      decide([allow, deny], { action: "s3:GetObject", resource: "arn:aws:s3:::HRBucket/Payroll/2026.csv" }),
    ).toBe("Allow");
    expect(decide([allow, deny], { action: "s3:GetObject", resource: "arn:aws:s3:::HRBucket/Other" })).toBe(
      "ExplicitDeny",
    );
  });

  it("NotResource with Allow allows every resource but the listed ones", () => {
    const p = policy({
      Effect: "Allow",
      Action: "profile:*",
      NotResource: "arn:aws:profile:us-east-1:1:domains/secret*",
    });
    expect(
      decide([p], { action: "profile:GetDomain", resource: "arn:aws:profile:us-east-1:1:domains/public" }),
    ).toBe("Allow");
    expect(
      decide([p], { action: "profile:GetDomain", resource: "arn:aws:profile:us-east-1:1:domains/secret-1" }),
    ).toBe("ImplicitDeny");
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
describe("policy variables", () => {
  const account = "111122223333";

  it("${aws:username} in a Resource is the caller's name", () => {
    const p = policy({
      Effect: "Allow",
      Action: "iam:*AccessKey*",
      Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
    });
    const ask = (name: string | undefined, target: string) => ({
      action: "iam:CreateAccessKey",
      resource: `arn:aws:iam::${account}:user/${target}`,
      context: { "aws:username": name },
    });
    expect(decide([p], ask("alice", "alice"))).toBe("Allow");
    expect(decide([p], ask("alice", "bob"))).toBe("ImplicitDeny");
    // "If AWS cannot resolve a variable this might cause the entire statement to be invalid."
    expect(decide([p], ask(undefined, "alice"))).toBe("ImplicitDeny");
  });

  it("${aws:PrincipalTag/…} and key names are case-insensitive", () => {
    const p = policy({
      Effect: "Allow",
      Action: "profile:*",
      Resource: "arn:aws:profile:us-east-1:1:domains/${aws:PrincipalTag/team}-*",
    });
    const ask = { action: "profile:GetDomain", resource: "arn:aws:profile:us-east-1:1:domains/sales-eu" };
    expect(decide([p], { ...ask, context: { "AWS:PrincipalTag/Team": "sales" } })).toBe("Allow");
    expect(decide([p], { ...ask, context: { "aws:PrincipalTag/team": "support" } })).toBe("ImplicitDeny");
  });

  // "Specifying default values": ${aws:PrincipalTag/team, 'company-wide'}
  it("a default value stands in for a missing key", () => {
    const p = policy({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team, 'company-wide'}/*",
    });
    const ask = (path: string, team?: string) => ({
      action: "s3:GetObject",
      resource: `arn:aws:s3:::amzn-s3-demo-bucket/${path}`,
      context: { "aws:PrincipalTag/team": team },
    });
    expect(decide([p], ask("company-wide/readme"))).toBe("Allow");
    expect(decide([p], ask("red/readme", "red"))).toBe("Allow");
    expect(decide([p], ask("company-wide/readme", "red"))).toBe("ImplicitDeny");
  });

  // "Special characters": ${*}, ${?}, ${$} stand for the literal characters.
  it("${*} ${?} ${$} are the literal characters, not wildcards", () => {
    const p = policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${*}${?}${$}x" });
    expect(decide([p], { action: "s3:GetObject", resource: "arn:aws:s3:::b/*?$x" })).toBe("Allow");
    expect(decide([p], { action: "s3:GetObject", resource: "arn:aws:s3:::b/ab$x" })).toBe("ImplicitDeny");
  });

  it("a substituted value is literal text: a * in a user's name is not a wildcard", () => {
    const p = policy({
      Effect: "Allow",
      Action: "iam:GetUser",
      Resource: "arn:aws:iam::1:user/${aws:username}",
    });
    const ask = {
      action: "iam:GetUser",
      resource: "arn:aws:iam::1:user/alice",
      context: { "aws:username": "a*" },
    };
    expect(decide([p], ask)).toBe("ImplicitDeny");
  });

  it("in a Version 2008-10-17 document ${…} is plain text", () => {
    const p = parsePolicy2008({
      Effect: "Allow",
      Action: "iam:GetUser",
      Resource: "arn:aws:iam::1:user/${aws:username}",
    });
    expect(
      decide([p], {
        action: "iam:GetUser",
        resource: "arn:aws:iam::1:user/alice",
        context: { "aws:username": "alice" },
      }),
    ).toBe("ImplicitDeny");
    expect(decide([p], { action: "iam:GetUser", resource: "arn:aws:iam::1:user/${aws:username}" })).toBe(
      "Allow",
    );
  });

  it("variables are substituted in String and ARN condition values", () => {
    const p = policy({
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::amzn-s3-demo-bucket",
      Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/*"] } },
    });
    const ask = (prefix: string) => ({
      action: "s3:ListBucket",
      resource: "arn:aws:s3:::amzn-s3-demo-bucket",
      context: { "aws:username": "david", "s3:prefix": prefix },
    });
    expect(decide([p], ask("home/david/photos"))).toBe("Allow");
    expect(decide([p], ask(""))).toBe("Allow");
    expect(decide([p], ask("home/maria/photos"))).toBe("ImplicitDeny");
  });
});

function parsePolicy2008(statement: unknown) {
  return parsePolicyDocument({ Version: "2008-10-17", Statement: statement }, "identity");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
describe("trust policies: Principal and NotPrincipal", () => {
  const account = "111122223333";
  const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
    policy({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }, "trust");
  const alice = { type: "AWS" as const, ids: [`arn:aws:iam::${account}:user/alice`], account };
  const profileService = { type: "Service" as const, ids: ["profile.amazonaws.com"] };
  const ask = (principal: typeof alice | typeof profileService) => ({ action: "sts:AssumeRole", principal });

  it("a service principal", () => {
    const p = trust({ Service: "profile.amazonaws.com" });
    expect(decide([p], ask(profileService))).toBe("Allow");
    expect(decide([p], ask(alice))).toBe("ImplicitDeny");
  });

  it("an account id or its root ARN is every principal of the account", () => {
    expect(decide([trust({ AWS: account })], ask(alice))).toBe("Allow");
    expect(decide([trust({ AWS: `arn:aws:iam::${account}:root` })], ask(alice))).toBe("Allow");
    expect(decide([trust({ AWS: "arn:aws:iam::444455556666:root" })], ask(alice))).toBe("ImplicitDeny");
  });

  it("a user's ARN; '*' is anyone", () => {
    expect(
      decide(
        [trust({ AWS: [`arn:aws:iam::${account}:user/bob`, `arn:aws:iam::${account}:user/alice`] })],
        ask(alice),
      ),
    ).toBe("Allow");
    expect(decide([trust({ AWS: `arn:aws:iam::${account}:user/bob` })], ask(alice))).toBe("ImplicitDeny");
    expect(decide([trust("*")], ask(profileService))).toBe("Allow");
    expect(decide([trust({ AWS: "*" })], ask(alice))).toBe("Allow");
  });

  it("NotPrincipal with Deny denies everyone else", () => {
    const allowAll = trust("*");
    const denyOthers = policy(
      { Effect: "Deny", NotPrincipal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" },
      "trust",
    );
    expect(decide([allowAll, denyOthers], ask(profileService))).toBe("Allow");
    expect(decide([allowAll, denyOthers], ask(alice))).toBe("ExplicitDeny");
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
describe("denialMessage", () => {
  it("says AWS's sentence for an implicit and an explicit deny", () => {
    const user = "arn:aws:iam::123456789012:user/alice";
    const domain = "arn:aws:profile:us-east-1:123456789012:domains/d1";
    expect(denialMessage(user, "profile:GetDomain", domain, "ImplicitDeny")).toBe(
      `User: ${user} is not authorized to perform: profile:GetDomain on resource: ${domain} because no identity-based policy allows the profile:GetDomain action`,
    );
    expect(denialMessage(user, "profile:GetDomain", domain, "ExplicitDeny")).toBe(
      `User: ${user} is not authorized to perform: profile:GetDomain on resource: ${domain} with an explicit deny in an identity-based policy`,
    );
  });
});
