import { describe, expect, it } from "vitest";
import { isProfileflowError } from "../../src/core/errors.ts";
import { type PolicyKind, parsePolicyDocument } from "../../src/iam/policy-document.ts";

/** The message of the MALFORMED_POLICY_DOCUMENT error `input` raises (fails the test if none). */
function problem(input: unknown, kind: PolicyKind = "identity"): string {
  try {
    parsePolicyDocument(input, kind);
  } catch (e) {
    expect(isProfileflowError(e, "MALFORMED_POLICY_DOCUMENT")).toBe(true);
    return (e as Error).message;
  }
  throw new Error("expected MALFORMED_POLICY_DOCUMENT");
}

const allowAll = { Effect: "Allow", Action: "*", Resource: "*" };

// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
describe("parsePolicyDocument", () => {
  it("accepts Statement as one object or an array, from JSON text or a value, and normalizes lists", () => {
    const one = parsePolicyDocument(
      JSON.stringify({ Version: "2012-10-17", Statement: allowAll }),
      "identity",
    );
    const many = parsePolicyDocument(
      { Version: "2012-10-17", Statement: [allowAll, { ...allowAll, Effect: "Deny" }] },
      "identity",
    );
    expect(one.statements).toHaveLength(1);
    expect(one.statements[0]).toMatchObject({
      effect: "Allow",
      action: ["*"],
      resource: ["*"],
      conditions: [],
    });
    expect(many.statements.map((s) => s.effect)).toEqual(["Allow", "Deny"]);
  });

  it("normalizes condition values to strings and parses the operator's parts", () => {
    const doc = parsePolicyDocument(
      {
        Version: "2012-10-17",
        Statement: {
          ...allowAll,
          Condition: {
            "ForAnyValue:NumericLessThanIfExists": { "svc:N": [1, "2"] },
            Bool: { "aws:SecureTransport": true },
          },
        },
      },
      "identity",
    );
    expect(doc.statements[0]!.conditions).toMatchObject([
      { set: "ForAnyValue", ifExists: true, keyLower: "svc:n", values: ["1", "2"] },
      { set: undefined, ifExists: false, key: "aws:SecureTransport", values: ["true"] },
    ]);
  });

  it.each([
    ["{", /Syntax errors in policy/],
    [[], /a policy document must be a JSON object/],
    [{ Version: "2012-10-17" }, /Missing required field Statement/],
    [{ Version: "2012-10-18", Statement: allowAll }, /^Version: Version must be "2012-10-17"/],
    [{ Version: "2012-10-17", Statement: [] }, /^Statement: Statement must not be empty/],
    [{ Version: "2012-10-17", Statement: "x" }, /^Statement: a statement must be an object/],
    [{ Version: "2012-10-17", Statement: allowAll, Extra: 1 }, /Has prohibited field Extra/],
    [
      { Version: "2012-10-17", Statement: [allowAll, { ...allowAll, Effect: "allow" }] },
      /^Statement\[1\]\.Effect: Effect must be "Allow" or "Deny"/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Actions: "*" } },
      /^Statement: Has prohibited field Actions/,
    ],
    [
      { Version: "2012-10-17", Statement: { Effect: "Allow", Resource: "*" } },
      /exactly one of Action or NotAction/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, NotAction: "iam:*" } },
      /exactly one of Action or NotAction/,
    ],
    [{ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*" } }, /must contain resources/],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Action: "GetDomain" } },
      /^Statement\.Action: 'GetDomain' is not an action/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Action: [] } },
      /^Statement\.Action: Action must list at least one value/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Action: 7 } },
      /^Statement\.Action: Action must be a string or an array of strings/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Resource: "domains/x" } },
      /Resource domains\/x must be in ARN format or "\*"/,
    ],
    [{ Version: "2012-10-17", Statement: { ...allowAll, Principal: "*" } }, /should not specify a principal/],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Condition: { StringEqual: { "a:b": "c" } } } },
      /'StringEqual' is not a condition operator/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Condition: { NullIfExists: { "a:b": "true" } } } },
      /Null operator takes neither/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Condition: { NumericEquals: { "a:b": "ten" } } } },
      /'ten' is not a number, as NumericEquals requires/,
    ],
    [
      {
        Version: "2012-10-17",
        Statement: { ...allowAll, Condition: { DateLessThan: { "aws:CurrentTime": "soon" } } },
      },
      /is not an ISO 8601 date/,
    ],
    [
      {
        Version: "2012-10-17",
        Statement: { ...allowAll, Condition: { Bool: { "aws:SecureTransport": "yes" } } },
      },
      /'yes' is not true or false/,
    ],
    [
      {
        Version: "2012-10-17",
        Statement: { ...allowAll, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/33" } } },
      },
      /not an IP address or CIDR block/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Condition: { StringEquals: { "a:b": [] } } } },
      /at least one value/,
    ],
    [
      { Version: "2012-10-17", Statement: { ...allowAll, Condition: { StringEquals: { "a:b": { x: 1 } } } } },
      /^Statement\.Condition\.StringEquals\.a:b/,
    ],
  ])("%j is refused: %s", (input, message) => {
    expect(problem(input)).toMatch(message);
  });

  it("trust policies need a Principal and take no Resource", () => {
    const trust = {
      Effect: "Allow",
      Principal: { Service: "profile.amazonaws.com" },
      Action: "sts:AssumeRole",
    };
    expect(
      parsePolicyDocument({ Version: "2012-10-17", Statement: trust }, "trust").statements[0]!.principal,
    ).toEqual({
      Service: ["profile.amazonaws.com"],
    });
    expect(
      problem({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "sts:AssumeRole" } }, "trust"),
    ).toMatch(/Missing required field Principal/);
    expect(problem({ Version: "2012-10-17", Statement: { ...trust, Resource: "*" } }, "trust")).toMatch(
      /prohibited field Resource/,
    );
    expect(
      problem({ Version: "2012-10-17", Statement: { ...trust, Principal: { Users: "x" } } }, "trust"),
    ).toMatch(/principal type must be AWS, Service, Federated or CanonicalUser/);
  });
});
