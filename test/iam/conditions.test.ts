import { describe, expect, it } from "vitest";
import { conditionApplies as applies, decide, policy } from "./helpers.ts";

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
describe("String condition operators", () => {
  // The page's example: StringEquals aws:PrincipalTag/job-category = iamuser-admin.
  it("StringEquals is exact and case-sensitive; an absent key does not match", () => {
    const c = { StringEquals: { "aws:PrincipalTag/job-category": "iamuser-admin" } };
    expect(applies(c, { "aws:PrincipalTag/job-category": "iamuser-admin" })).toBe(true);
    expect(applies(c, { "aws:PrincipalTag/job-category": "dev-ops" })).toBe(false);
    expect(applies(c, { "aws:PrincipalTag/job-category": "IAMUSER-ADMIN" })).toBe(false);
    expect(applies(c, {})).toBe(false);
  });

  it("StringEquals has no wildcards; StringLike does", () => {
    expect(applies({ StringEquals: { "svc:k": "a*" } }, { "svc:k": "abc" })).toBe(false);
    expect(applies({ StringEquals: { "svc:k": "a*" } }, { "svc:k": "a*" })).toBe(true);
    expect(applies({ StringLike: { "svc:k": "a*" } }, { "svc:k": "abc" })).toBe(true);
    expect(applies({ StringLike: { "svc:k": "a?c" } }, { "svc:k": "abc" })).toBe(true);
    expect(applies({ StringLike: { "svc:k": "a?c" } }, { "svc:k": "abbc" })).toBe(false);
    expect(applies({ StringLike: { "svc:k": "A*" } }, { "svc:k": "abc" })).toBe(false);
  });

  it("IgnoreCase variants", () => {
    expect(applies({ StringEqualsIgnoreCase: { "svc:k": "Sales" } }, { "svc:k": "SALES" })).toBe(true);
    expect(applies({ StringNotEqualsIgnoreCase: { "svc:k": "Sales" } }, { "svc:k": "SALES" })).toBe(false);
    expect(applies({ StringNotEqualsIgnoreCase: { "svc:k": "Sales" } }, { "svc:k": "support" })).toBe(true);
  });

  // "If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike,
  // and the right key is not present, the condition is true."
  it("a negated operator holds when the key is absent", () => {
    expect(applies({ StringNotEquals: { "svc:k": "x" } }, {})).toBe(true);
    expect(applies({ StringNotLike: { "svc:k": "x*" } }, {})).toBe(true);
    expect(applies({ ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:1:*" } }, {})).toBe(true);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
// "multiple condition operators … AND. … multiple context keys attached to a single condition operator
// … AND. … multiple values for a context key … OR. … a single negated matching condition operator
// includes multiple values … NOR."
describe("several operators, keys and values", () => {
  it("values of one key are ORed", () => {
    const c = { StringEquals: { "aws:PrincipalTag/team": ["dev", "qa"] } };
    expect(applies(c, { "aws:PrincipalTag/team": "qa" })).toBe(true);
    expect(applies(c, { "aws:PrincipalTag/team": "ops" })).toBe(false);
  });

  it("values of a negated operator are NORed", () => {
    const c = { StringNotEquals: { "aws:PrincipalTag/team": ["dev", "qa"] } };
    expect(applies(c, { "aws:PrincipalTag/team": "qa" })).toBe(false);
    expect(applies(c, { "aws:PrincipalTag/team": "ops" })).toBe(true);
  });

  it("keys under one operator and several operators are ANDed", () => {
    const c = {
      StringEquals: { "aws:PrincipalTag/team": "dev", "aws:RequestTag/owner": "alice" },
      Bool: { "aws:SecureTransport": "true" },
    };
    const all = {
      "aws:PrincipalTag/team": "dev",
      "aws:RequestTag/owner": "alice",
      "aws:SecureTransport": "true",
    };
    expect(applies(c, all)).toBe(true);
    expect(applies(c, { ...all, "aws:RequestTag/owner": "bob" })).toBe(false);
    expect(applies(c, { ...all, "aws:SecureTransport": "false" })).toBe(false);
  });
});

describe("Numeric, Date, Bool, Binary, IpAddress, Arn", () => {
  // Page example: "NumericLessThanEquals": {"s3:max-keys": "10"}
  it("Numeric operators", () => {
    const c = { NumericLessThanEquals: { "s3:max-keys": "10" } };
    expect(applies(c, { "s3:max-keys": "10" })).toBe(true);
    expect(applies(c, { "s3:max-keys": "9.5" })).toBe(true);
    expect(applies(c, { "s3:max-keys": "11" })).toBe(false);
    expect(applies(c, { "s3:max-keys": "ten" })).toBe(false);
    expect(applies(c, {})).toBe(false);
    expect(applies({ NumericEquals: { "svc:n": 3 } }, { "svc:n": "3.0" })).toBe(true);
    expect(applies({ NumericNotEquals: { "svc:n": ["1", "2"] } }, { "svc:n": "3" })).toBe(true);
    expect(applies({ NumericGreaterThan: { "svc:n": "1" } }, { "svc:n": "1" })).toBe(false);
    expect(applies({ NumericGreaterThanEquals: { "svc:n": "1" } }, { "svc:n": "1" })).toBe(true);
    expect(applies({ NumericLessThan: { "svc:n": "-1" } }, { "svc:n": "-2" })).toBe(true);
  });

  // Page example: "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}; dates are ISO 8601 or epoch.
  it("Date operators take ISO 8601 and epoch seconds", () => {
    const c = { DateGreaterThan: { "aws:TokenIssueTime": "2020-01-01T00:00:01Z" } };
    expect(applies(c, { "aws:TokenIssueTime": "2020-01-01T00:00:02Z" })).toBe(true);
    expect(applies(c, { "aws:TokenIssueTime": "2019-12-31T23:59:59Z" })).toBe(false);
    expect(applies(c, {})).toBe(false);
    const epoch = { DateLessThan: { "aws:CurrentTime": "1577836800" } }; // 2020-01-01T00:00:00Z
    expect(applies(epoch, { "aws:CurrentTime": "2019-12-31T00:00:00Z" })).toBe(true);
    expect(applies(epoch, { "aws:CurrentTime": "2020-01-01T00:00:00Z" })).toBe(false);
    expect(
      applies(
        { DateLessThanEquals: { "aws:CurrentTime": "2020-01-01" } },
        { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
      ),
    ).toBe(true);
    expect(
      applies(
        { DateEquals: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
        { "aws:CurrentTime": "1577836800" },
      ),
    ).toBe(true);
    expect(
      applies(
        { DateNotEquals: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
        { "aws:CurrentTime": "1577836801" },
      ),
    ).toBe(true);
    expect(
      applies(
        { DateGreaterThanEquals: { "aws:CurrentTime": "2020-01-01T00:00:00+01:00" } },
        { "aws:CurrentTime": "2019-12-31T23:00:00Z" },
      ),
    ).toBe(true);
  });

  // Page example: "Bool": {"aws:SecureTransport": "false"} — a table with true / false / absent.
  it("Bool", () => {
    const c = { Bool: { "aws:SecureTransport": "false" } };
    expect(applies(c, { "aws:SecureTransport": "false" })).toBe(true);
    expect(applies(c, { "aws:SecureTransport": "true" })).toBe(false);
    expect(applies(c, {})).toBe(false);
    expect(applies({ Bool: { "aws:SecureTransport": true } }, { "aws:SecureTransport": "TRUE" })).toBe(true);
  });

  it("BinaryEquals compares the base-64 text", () => {
    expect(
      applies(
        { BinaryEquals: { "svc:b": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } },
        { "svc:b": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" },
      ),
    ).toBe(true);
  });

  // Page example: "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, and IPv6 "2001:DB8:1234:5678::/64".
  it("IpAddress and NotIpAddress, IPv4 and IPv6", () => {
    const c = { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"] } };
    expect(applies(c, { "aws:SourceIp": "203.0.113.7" })).toBe(true);
    expect(applies(c, { "aws:SourceIp": "203.0.114.7" })).toBe(false);
    expect(applies(c, { "aws:SourceIp": "2001:db8:1234:5678::1" })).toBe(true);
    expect(applies(c, { "aws:SourceIp": "2001:db8:1234:5679::1" })).toBe(false);
    expect(applies(c, { "aws:SourceIp": "not-an-ip" })).toBe(false);
    expect(applies({ NotIpAddress: { "aws:SourceIp": "192.0.2.1" } }, { "aws:SourceIp": "192.0.2.2" })).toBe(
      true,
    );
    expect(applies({ NotIpAddress: { "aws:SourceIp": "192.0.2.1" } }, { "aws:SourceIp": "192.0.2.1" })).toBe(
      false,
    );
  });

  // Page: "Each of the six colon-delimited components of the ARN is checked separately"; the SQS example
  // "ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}.
  it("ArnEquals / ArnLike compare the six components, each with wildcards", () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:my-topic";
    expect(applies({ ArnEquals: { "aws:SourceArn": topic } }, { "aws:SourceArn": topic })).toBe(true);
    expect(
      applies({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:*" } }, { "aws:SourceArn": topic }),
    ).toBe(true);
    expect(
      applies(
        { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:*" } },
        { "aws:SourceArn": "arn:aws:sqs:us-east-1:123456789012:q" },
      ),
    ).toBe(false);
    // A * in one component does not swallow the next.
    expect(
      applies(
        { ArnLike: { "aws:SourceArn": "arn:aws:*:123456789012:my-topic" } },
        { "aws:SourceArn": topic },
      ),
    ).toBe(false);
    expect(
      applies({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, { "aws:SourceArn": "not-an-arn" }),
    ).toBe(false);
    expect(applies({ ArnNotEquals: { "aws:SourceArn": topic } }, { "aws:SourceArn": topic })).toBe(false);
    expect(
      applies(
        { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/team}-*" } },
        {
          "aws:PrincipalArn": "arn:aws:iam::1:role/red-admin",
          "aws:PrincipalTag/team": "red",
        },
      ),
    ).toBe(true);
    expect(
      applies(
        { ArnLike: { "svc:arn": "arn:aws:s3:::bucket/a:b" } },
        { "svc:arn": "arn:aws:s3:::bucket/a:b" },
      ),
    ).toBe(true);
  });
});

// Page, "…IfExists condition operators": "If the policy key is present in the context of the request,
// process the key as specified in the policy. If the key is not present, evaluate the condition
// element as true." Example: "StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}.
describe("…IfExists and Null", () => {
  it("IfExists holds when the key is absent and checks it when present", () => {
    const c = { StringLikeIfExists: { "ec2:InstanceType": ["t1.*", "t2.*", "m3.*"] } };
    expect(applies(c, {})).toBe(true);
    expect(applies(c, { "ec2:InstanceType": "t2.micro" })).toBe(true);
    expect(applies(c, { "ec2:InstanceType": "m5.large" })).toBe(false);
    expect(applies({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }, {})).toBe(true);
    expect(applies({ NumericLessThanIfExists: { "svc:n": "5" } }, { "svc:n": "7" })).toBe(false);
    expect(applies({ ArnLikeIfExists: { "aws:SourceArn": "arn:aws:sns:*:1:*" } }, {})).toBe(true);
  });

  // Page example: "Null": {"aws:TokenIssueTime": "true"} — no temporary credentials.
  it("Null: true means the key is absent, false that it is present", () => {
    expect(applies({ Null: { "aws:TokenIssueTime": "true" } }, {})).toBe(true);
    expect(
      applies({ Null: { "aws:TokenIssueTime": "true" } }, { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" }),
    ).toBe(false);
    expect(
      applies({ Null: { "aws:TokenIssueTime": "false" } }, { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" }),
    ).toBe(true);
    expect(applies({ Null: { "aws:TagKeys": "false" } }, { "aws:TagKeys": [] })).toBe(false);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
describe("ForAnyValue / ForAllValues over multivalued keys", () => {
  // "ForAllValues … returns true if every context key value in the request matches at least one context
  // key value in the policy. It also returns true if there are no context keys in the request."
  it("ForAllValues:StringLike — every request value matches some policy value; absent is true", () => {
    const c = { "ForAllValues:StringLike": { "aws:TagKeys": ["key1*", "key2*", "key3*"] } };
    expect(applies(c, { "aws:TagKeys": ["key1-a", "key3"] })).toBe(true);
    expect(applies(c, { "aws:TagKeys": ["key1-a", "other"] })).toBe(false);
    expect(applies(c, {})).toBe(true);
    expect(applies(c, { "aws:TagKeys": [] })).toBe(true);
    // The page's fix: add "Null": {"aws:TagKeys": "false"} so an absent key no longer matches.
    expect(applies({ ...c, Null: { "aws:TagKeys": "false" } }, {})).toBe(false);
  });

  // The table of "Deny a single policy condition value": Deny iam:Tag* when
  // "ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}.
  it.each([
    [["key1"], "Allow"], // key1:legal → No match, may be allowed by another statement
    [["key1", "key1"], "Allow"], // key1:hr, key1:personnel → No match
    [["key2"], "ExplicitDeny"], // key2:audit → Match
    [undefined, "ExplicitDeny"], // no aws:TagKeys in the request context → Match
  ])("Deny ForAllValues:StringNotLike key1* with aws:TagKeys %j → %s", (tagKeys, decision) => {
    const allow = policy({ Effect: "Allow", Action: "iam:*", Resource: "*" });
    const deny = policy({
      Sid: "DenyRestrictedTags",
      Effect: "Deny",
      Action: ["iam:Tag*", "iam:UnTag*"],
      Resource: ["*"],
      Condition: { "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } },
    });
    expect(decide([allow, deny], { action: "iam:TagUser", context: { "aws:TagKeys": tagKeys } })).toBe(
      decision,
    );
  });

  // "ForAnyValue … returns true if any one of the context key values in the request matches any one of the
  // context key values in the policy. For context keys not in the request, the condition returns false."
  it.each([
    [undefined, false],
    [["Dept", "SIC"], false],
    [["DataClass", "Dept"], true],
    [["DataClass", "Owner"], true],
  ])("ForAnyValue:StringEquals [DataClass, Owner] with aws:TagKeys %j → %s", (tagKeys, holds) => {
    const c = { "ForAnyValue:StringEquals": { "aws:TagKeys": ["DataClass", "Owner"] } };
    expect(applies(c, { "aws:TagKeys": tagKeys })).toBe(holds);
  });

  it("a single-valued key is a set of one (the seed's ForAnyValue on aws:RequestTag/…)", () => {
    const c = {
      "ForAnyValue:StringEquals": {
        "aws:RequestTag/awsOwningService": "customer-profiles-integration-workflow",
      },
    };
    expect(applies(c, { "aws:RequestTag/awsOwningService": "customer-profiles-integration-workflow" })).toBe(
      true,
    );
    expect(applies(c, { "aws:RequestTag/awsOwningService": "someone-else" })).toBe(false);
    expect(applies(c, {})).toBe(false);
  });

  it("ForAnyValue with a negated operator: some request value matches none of the policy values", () => {
    const c = { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["a", "b"] } };
    expect(applies(c, { "aws:TagKeys": ["a", "b"] })).toBe(false);
    expect(applies(c, { "aws:TagKeys": ["a", "c"] })).toBe(true);
  });

  it("ForAllValues:StringEquals — the seed's kms:GrantOperations = [Decrypt]", () => {
    const c = { "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } };
    expect(applies(c, { "kms:GrantOperations": ["Decrypt"] })).toBe(true);
    expect(applies(c, { "kms:GrantOperations": ["Decrypt", "Encrypt"] })).toBe(false);
  });

  it("IfExists on a set operator: an absent key passes", () => {
    expect(applies({ "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": "team" } }, {})).toBe(true);
    expect(
      applies({ "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": "team" } }, { "aws:TagKeys": ["x"] }),
    ).toBe(false);
  });
});
