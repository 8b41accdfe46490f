import { ProfileflowError } from "../../core/errors.ts";
import type { Principals } from "../../security/iam/principals.ts";
import type { TemporaryCredentials } from "../../security/iam/session-store.ts";
import type { StsService } from "../../security/iam/sts-service.ts";
import { type Form, optional, optionalInt, required, SESSION_NAME } from "../iam/members.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { queryResponse, type XmlObject } from "../query-protocol.ts";

export interface StsDeps {
  principals: Principals;
  sts: StsService;
}

function stsOp(
  action: string,
  handler: (form: Form, ctx: OperationContext) => Promise<XmlObject>,
): Operation {
  return {
    name: action,
    method: "POST",
    path: "/",
    action,
    handler: async (ctx) => queryResponse("sts", action, ctx.requestId, await handler(ctx.body as Form, ctx)),
  };
}

function credentialsXml(c: TemporaryCredentials): XmlObject {
  return {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: new Date(c.expiration),
  };
}

/** STS (signing name `sts`, awsQuery, version 2011-06-15): GetCallerIdentity, AssumeRole, GetSessionToken. */
export function stsOperations(d: StsDeps): ServiceDefinition {
  const caller = (ctx: OperationContext) => d.principals.principalOf(ctx.caller.accessKeyId);
  return {
    service: "sts",
    operations: [
      stsOp("GetCallerIdentity", async (_f, ctx) => {
        const p = await caller(ctx);
        return { UserId: p.userId, Account: p.account, Arn: p.arn };
      }),
      stsOp("AssumeRole", async (f, ctx) => {
        const roleArn = required(f, "RoleArn", { min: 20, max: 2048 });
        const sessionName = required(f, "RoleSessionName", SESSION_NAME);
        const duration = optionalInt(f, "DurationSeconds", 900, 43_200);
        optional(f, "Policy", { min: 1, max: 2048 });
        // A session policy narrows the session's permissions; not enforced yet, so refused rather than
        // ignored (ignoring it would hand out the role's full permissions to a caller that asked for less).
        if (f["Policy"] !== undefined || Object.keys(f).some((k) => k.startsWith("PolicyArns."))) {
          throw new ProfileflowError(
            "VALIDATION_FAILED",
            "Session policies (Policy, PolicyArns) are not supported yet: AssumeRole without them gives the role's own permissions.",
          );
        }
        const r = await d.sts.assumeRole(await caller(ctx), roleArn, sessionName, duration, ctx.requestId);
        return {
          Credentials: credentialsXml(r.credentials),
          AssumedRoleUser: { AssumedRoleId: r.assumedRoleId, Arn: r.arn },
          PackedPolicySize: undefined,
        };
      }),
      stsOp("GetSessionToken", async (f, ctx) => {
        const duration = optionalInt(f, "DurationSeconds", 900, 129_600);
        return {
          Credentials: credentialsXml(
            await d.sts.getSessionToken(await caller(ctx), duration, ctx.requestId),
          ),
        };
      }),
    ],
  };
}
