import type { Kysely } from "kysely";
import { ProfileflowError } from "../../core/errors.ts";
import type { Database } from "../../db/schema.ts";
import { parsePolicyDocument } from "../../iam/policy-document.ts";
import type { AccessKeyStore } from "../../security/access-key-store.ts";
import type { IamStore } from "../../security/iam/iam-store.ts";
import type { PolicyStore } from "../../security/iam/policy-store.ts";
import type { Principals } from "../../security/iam/principals.ts";
import type { Operation, OperationContext, ServiceDefinition } from "../operation.ts";
import { queryResponse, type XmlObject } from "../query-protocol.ts";
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

export interface IamDeps {
  db: Kysely<Database>;
  iam: IamStore;
  policies: PolicyStore;
  principals: Principals;
  accessKeys: AccessKeyStore;
}

/** An IAM query-protocol operation: members in, the result element's content out (or nothing). */
export type IamHandler = (form: Form, ctx: OperationContext) => Promise<XmlObject | undefined>;

export function iamOp(action: string, handler: IamHandler): Operation {
  return {
    name: action,
    method: "POST",
    path: "/",
    action,
    handler: async (ctx) => queryResponse("iam", action, ctx.requestId, await handler(ctx.body as Form, ctx)),
  };
}

/** IAM (signing name `iam`, awsQuery, version 2010-05-08): users, access keys, roles, policies. */
export function iamOperations(d: IamDeps): ServiceDefinition {
  const { db, iam } = d;
  const tx = <T>(fn: (q: Kysely<Database>) => Promise<T>) => db.transaction().execute(fn);
  /** The UserName member, or the calling user's own name (IAM's default for access key operations). */
  const userNameOf = async (form: Form, ctx: OperationContext): Promise<string> => {
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
  };
  const operations: Operation[] = [
    iamOp("CreateUser", async (f) => {
      const user = await iam.createUser(db, required(f, "UserName", NAME), optional(f, "Path", PATH) ?? "/");
      return { User: userXml(user) };
    }),
    iamOp("GetUser", async (f, ctx) => ({ User: userXml(await iam.getUser(db, await userNameOf(f, ctx))) })),
    iamOp("ListUsers", async (f) =>
      page(f, await iam.listUsers(db, optional(f, "PathPrefix", PATH)), "Users", userXml),
    ),
    iamOp("DeleteUser", async (f) => {
      await tx((q) => iam.deleteUser(q, required(f, "UserName", NAME)));
      return undefined;
    }),
    iamOp("CreateAccessKey", async (f, ctx) => {
      const userName = await userNameOf(f, ctx);
      const k = await tx((q) => iam.createAccessKey(q, userName));
      return {
        AccessKey: {
          UserName: k.userName,
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          SecretAccessKey: k.secretAccessKey,
          CreateDate: new Date(k.createdAt),
        },
      };
    }),
    iamOp("ListAccessKeys", async (f, ctx) => {
      const keys = await iam.listAccessKeys(db, await userNameOf(f, ctx));
      return page(f, keys, "AccessKeyMetadata", (k) => ({
        UserName: k.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createdAt),
      }));
    }),
    iamOp("UpdateAccessKey", async (f, ctx) => {
      const id = required(f, "AccessKeyId", ACCESS_KEY_ID);
      const status = required(f, "Status");
      if (status !== "Active" && status !== "Inactive") {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
        );
      }
      await iam.updateAccessKey(db, await userNameOf(f, ctx), id, status);
      d.accessKeys.forget(id);
      return undefined;
    }),
    iamOp("DeleteAccessKey", async (f, ctx) => {
      const id = required(f, "AccessKeyId", ACCESS_KEY_ID);
      await iam.deleteAccessKey(db, await userNameOf(f, ctx), id);
      d.accessKeys.forget(id);
      return undefined;
    }),
    iamOp("CreateRole", async (f) => {
      const trustPolicy = required(f, "AssumeRolePolicyDocument", DOCUMENT);
      parsePolicyDocument(trustPolicy, "trust");
      const r: Parameters<IamStore["createRole"]>[1] = {
        roleName: required(f, "RoleName", NAME),
        path: optional(f, "Path", PATH) ?? "/",
        trustPolicy,
        maxSessionDuration: optionalInt(f, "MaxSessionDuration", 3600, 43_200) ?? 3600,
      };
      const description = optional(f, "Description", ROLE_DESCRIPTION);
      if (description !== undefined) r.description = description;
      return { Role: roleXml(await iam.createRole(db, r)) };
    }),
    iamOp("GetRole", async (f) => ({ Role: roleXml(await iam.getRole(db, required(f, "RoleName", NAME))) })),
    iamOp("ListRoles", async (f) =>
      page(f, await iam.listRoles(db, optional(f, "PathPrefix", PATH)), "Roles", roleXml),
    ),
    iamOp("DeleteRole", async (f) => {
      await tx((q) => iam.deleteRole(q, required(f, "RoleName", NAME)));
      return undefined;
    }),
    ...policyOperations(d),
  ];
  return { service: "iam", operations };
}
