import { describe, expect, it } from "vitest";
import {
  accountRootArn,
  appflowArn,
  appflowArnPrefix,
  appflowResourceName,
  kmsKeyArn,
  ProfileArns,
  scopeOf,
  secretArnPrefix,
} from "../../src/core/arns.ts";

const where = { region: "eu-west-1", accountId: "123456789012" };

describe("ARNs", () => {
  it("builds the ARNs of each service and reads them back", () => {
    const flow = appflowArn(where, "flow", "f1");
    expect(flow).toBe("arn:aws:appflow:eu-west-1:123456789012:flow/f1");
    expect(appflowResourceName(flow, "flow", where)).toBe("f1");
    expect(appflowArnPrefix(where, "connectorprofile")).toBe(
      "arn:aws:appflow:eu-west-1:123456789012:connectorprofile/",
    );
    expect(kmsKeyArn(where, "k")).toBe("arn:aws:kms:eu-west-1:123456789012:key/k");
    expect(secretArnPrefix(where)).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:");
    expect(accountRootArn("123456789012")).toBe("arn:aws:iam::123456789012:root");
    expect(scopeOf(flow)).toEqual(where);
    expect(scopeOf("not-an-arn")).toEqual({ region: "", accountId: "" });
    const arns = new ProfileArns(where.region, where.accountId);
    expect(arns.parse(arns.integration("d", "i"))).toEqual({
      domainName: "d",
      kind: "integrations",
      name: "i",
    });
  });
});
