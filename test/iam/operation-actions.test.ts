import { describe, expect, it } from "vitest";
import { authorizationTarget, type OperationRequest } from "../../src/iam/operation-actions.ts";

const base = { region: "us-east-1", account: "111122223333", params: {}, body: {} };
const target = (r: Partial<OperationRequest> & { service: string; operation: string }) =>
  authorizationTarget({ ...base, ...r });

// Names and resource types of the Service Authorization Reference:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonconnectcustomerprofiles.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonappflow.html
describe("authorizationTarget", () => {
  it("Customer Profiles: domains, object types, integrations, tags", () => {
    expect(target({ service: "profile", operation: "GetDomain", params: { DomainName: "d" } })).toEqual({
      action: "profile:GetDomain",
      resource: "arn:aws:profile:us-east-1:111122223333:domains/d",
    });
    expect(
      target({
        service: "profile",
        operation: "PutProfileObjectType",
        params: { DomainName: "d", ObjectTypeName: "t" },
      })?.resource,
    ).toBe("arn:aws:profile:us-east-1:111122223333:domains/d/object-types/t");
    expect(
      target({
        service: "profile",
        operation: "PutProfileObject",
        params: { DomainName: "d" },
        body: { ObjectTypeName: "t" },
      })?.resource,
    ).toBe("arn:aws:profile:us-east-1:111122223333:domains/d/object-types/t");
    // The seed's CreateFlowResources statement: profile:PutIntegration conditioned on aws:RequestTag/awsOwningService.
    expect(
      target({
        service: "profile",
        operation: "PutIntegration",
        params: { DomainName: "d" },
        body: {
          Uri: "arn:aws:appflow:us-east-1:111122223333:flow/f",
          Tags: { awsOwningService: "customer-profiles-integration-workflow" },
        },
      }),
    ).toEqual({
      action: "profile:PutIntegration",
      resource:
        "arn:aws:profile:us-east-1:111122223333:domains/d/integrations/arn:aws:appflow:us-east-1:111122223333:flow/f",
      requestTags: { awsOwningService: "customer-profiles-integration-workflow" },
    });
    expect(
      target({
        service: "profile",
        operation: "TagResource",
        params: { resourceArn: "arn:x:y:z:1:domains/d" },
        body: { tags: { a: "b" } },
      }),
    ).toEqual({
      action: "profile:TagResource",
      resource: "arn:x:y:z:1:domains/d",
      requestTags: { a: "b" },
    });
    expect(target({ service: "profile", operation: "ListDomains" })?.resource).toBe("*");
  });

  it("AppFlow: flows and connector profiles; Secrets Manager: secrets", () => {
    expect(
      target({
        service: "appflow",
        operation: "CreateFlow",
        body: { flowName: "f", tags: { awsOwningService: "x" } },
      }),
    ).toEqual({
      action: "appflow:CreateFlow",
      resource: "arn:aws:appflow:us-east-1:111122223333:flow/f",
      requestTags: { awsOwningService: "x" },
    });
    expect(
      target({ service: "appflow", operation: "DeleteConnectorProfile", body: { connectorProfileName: "p" } })
        ?.resource,
    ).toBe("arn:aws:appflow:us-east-1:111122223333:connectorprofile/p");
    expect(
      target({
        service: "secretsmanager",
        operation: "CreateSecret",
        body: { Name: "s", Tags: [{ Key: "k", Value: "v" }] },
      }),
    ).toEqual({
      action: "secretsmanager:CreateSecret",
      resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:s",
      requestTags: { k: "v" },
    });
  });

  it("IAM: users, roles, policies; the caller's own user by default; STS needs none", () => {
    expect(
      target({ service: "iam", operation: "CreateUser", body: { UserName: "u", Path: "/p/" } })?.resource,
    ).toBe("arn:aws:iam::111122223333:user/p/u");
    expect(
      target({
        service: "iam",
        operation: "AttachRolePolicy",
        body: { RoleName: "r", PolicyArn: "arn:aws:iam::111122223333:policy/x" },
      })?.resource,
    ).toBe("arn:aws:iam::111122223333:role/r");
    expect(
      target({
        service: "iam",
        operation: "GetPolicy",
        body: { PolicyArn: "arn:aws:iam::111122223333:policy/x" },
      })?.resource,
    ).toBe("arn:aws:iam::111122223333:policy/x");
    expect(
      target({
        service: "iam",
        operation: "ListAccessKeys",
        callerUserArn: "arn:aws:iam::111122223333:user/me",
      })?.resource,
    ).toBe("arn:aws:iam::111122223333:user/me");
    expect(target({ service: "sts", operation: "GetCallerIdentity" })).toBeUndefined();
    expect(target({ service: "sts", operation: "AssumeRole" })).toBeUndefined();
  });
});
