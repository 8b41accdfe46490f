import { ProfileflowError } from "../../core/errors.ts";
import { parsePolicyDocument } from "../../iam/policy-document.ts";
import type { IamStore } from "../../security/iam/iam-store.ts";
import type { OperationContext, ServiceDefinition } from "../operation.ts";
import type { XmlObject } from "../query-protocol.ts";
import { type IamDeps, iamOp, inTransaction } from "./iam-op.ts";
import { policyOperations } from "./iam-policy-operations.ts";
import { page, roleXml, userXml } from "./iam-wire.ts";
import {
  ACCESS_KEY_ID,
  DOCUMENT,
  type Form,
  NAME,
  optional,
  optionalInt,
  PATH,
  ROLE_DESCRIPTION,
  required,
} from "./members.ts";

/** IAM (signing name `iam`, awsQuery, version 2010-05-08): users, access keys, roles, policies. */
export function iamOperations(d: IamDeps): ServiceDefinition {
  const operations = [
    iamOp("CreateUser", (f) => createUser(d, f)),
    iamOp("GetUser", async (f, ctx) => ({
      User: userXml(await d.iam.getUser(d.db, await userNameOf(d, f, ctx))),
    })),
    iamOp("ListUsers", async (f) =>
      page(f, await d.iam.listUsers(d.db, optional(f, "PathPrefix", PATH)), "Users", userXml),
    ),
    iamOp("DeleteUser", async (f) => {
      await inTransaction(d, (q) => d.iam.deleteUser(q, required(f, "UserName", NAME)));
      return undefined;
    }),
    iamOp("CreateAccessKey", (f, ctx) => createAccessKey(d, f, ctx)),
    iamOp("ListAccessKeys", (f, ctx) => listAccessKeys(d, f, ctx)),
    iamOp("UpdateAccessKey", (f, ctx) => updateAccessKey(d, f, ctx)),
    iamOp("DeleteAccessKey", (f, ctx) => deleteAccessKey(d, f, ctx)),
    iamOp("CreateRole", (f) => createRole(d, f)),
    iamOp("GetRole", async (f) => ({
      Role: roleXml(await d.iam.getRole(d.db, required(f, "RoleName", NAME))),
    })),
    iamOp("ListRoles", async (f) =>
      page(f, await d.iam.listRoles(d.db, optional(f, "PathPrefix", PATH)), "Roles", roleXml),
    ),
    iamOp("DeleteRole", async (f) => {
      await inTransaction(d, (q) => d.iam.deleteRole(q, required(f, "RoleName", NAME)));
      return undefined;
    }),
    iamOp("UpdateAssumeRolePolicy", async (f) => {
      const trustPolicy = trustPolicyMember(f, "PolicyDocument");
      await inTransaction(d, (q) => d.iam.updateTrustPolicy(q, required(f, "RoleName", NAME), trustPolicy));
      return undefined;
    }),
    ...policyOperations(d),
  ];
  return { service: "iam", operations };
}

/** The UserName member, or the calling user's own name (IAM's default for access key operations). */
async function userNameOf(d: IamDeps, form: Form, ctx: OperationContext): Promise<string> {
  const given = optional(form, "UserName", NAME);
  if (given !== undefined) return given;
  const p = await d.principals.principalOf(ctx.caller.accessKeyId);
  if (p.kind !== "user") {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      "Must specify userName when calling with non-User credentials",
    );
  }
  return p.userName;
}

async function createUser({ db, iam }: IamDeps, f: Form): Promise<XmlObject> {
  const user = await iam.createUser(db, required(f, "UserName", NAME), optional(f, "Path", PATH) ?? "/");
  return { User: userXml(user) };
}

async function createAccessKey(d: IamDeps, f: Form, ctx: OperationContext): Promise<XmlObject> {
  const userName = await userNameOf(d, f, ctx);
  const k = await inTransaction(d, (q) => d.iam.createAccessKey(q, userName));
  return {
    AccessKey: {
      UserName: k.userName,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      SecretAccessKey: k.secretAccessKey,
      CreateDate: new Date(k.createdAt),
    },
  };
}

async function listAccessKeys(d: IamDeps, f: Form, ctx: OperationContext): Promise<XmlObject> {
  const keys = await d.iam.listAccessKeys(d.db, await userNameOf(d, f, ctx));
  return page(f, keys, "AccessKeyMetadata", (k) => ({
    UserName: k.userName,
    AccessKeyId: k.accessKeyId,
    Status: k.status,
    CreateDate: new Date(k.createdAt),
  }));
}

async function updateAccessKey(d: IamDeps, f: Form, ctx: OperationContext): Promise<undefined> {
  const id = required(f, "AccessKeyId", ACCESS_KEY_ID);
  const status = required(f, "Status");
  if (status !== "Active" && status !== "Inactive") {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
    );
  }
  await d.iam.updateAccessKey(d.db, await userNameOf(d, f, ctx), id, status);
  d.accessKeys.forget(id);
  return undefined;
}

async function deleteAccessKey(d: IamDeps, f: Form, ctx: OperationContext): Promise<undefined> {
  const id = required(f, "AccessKeyId", ACCESS_KEY_ID);
  await d.iam.deleteAccessKey(d.db, await userNameOf(d, f, ctx), id);
  d.accessKeys.forget(id);
  return undefined;
}

/** IAM's quota on a role's trust policy (ACLSizePerRole): 2,048 characters, whitespace not counted. */
export const TRUST_POLICY_QUOTA = 2048;

/**
 * A trust policy member: a valid trust policy document within IAM's quota (LimitExceeded "Cannot
 * exceed quota for ACLSizePerRole: 2048" beyond it, as IAM answers).
 */
function trustPolicyMember(f: Form, member: string): string {
  const doc = required(f, member, DOCUMENT);
  if (doc.replace(/\s/g, "").length > TRUST_POLICY_QUOTA) {
    throw new ProfileflowError(
      "QUOTA_EXCEEDED",
      `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`,
    );
  }
  parsePolicyDocument(doc, "trust");
  return doc;
}

async function createRole({ db, iam }: IamDeps, f: Form): Promise<XmlObject> {
  const trustPolicy = trustPolicyMember(f, "AssumeRolePolicyDocument");
  const r: Parameters<IamStore["createRole"]>[1] = {
    roleName: required(f, "RoleName", NAME),
    path: optional(f, "Path", PATH) ?? "/",
    trustPolicy,
    maxSessionDuration: optionalInt(f, "MaxSessionDuration", 3600, 43_200) ?? 3600,
  };
  const description = optional(f, "Description", ROLE_DESCRIPTION);
  if (description !== undefined) r.description = description;
  return { Role: roleXml(await iam.createRole(db, r)) };
}
