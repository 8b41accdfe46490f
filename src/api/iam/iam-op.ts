import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { AccessKeyStore } from "../../security/access-key-store.ts";
import type { IamStore } from "../../security/iam/iam-store.ts";
import type { PolicyStore } from "../../security/iam/policy-store.ts";
import type { Principals } from "../../security/iam/principals.ts";
import type { Operation, OperationContext } from "../operation.ts";
import { queryResponse, type XmlObject } from "../query-protocol.ts";
import type { Form } from "./members.ts";

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

/** Runs `fn` in one transaction of the IAM database. */
export function inTransaction<T>(d: IamDeps, fn: (q: Kysely<Database>) => Promise<T>): Promise<T> {
  return d.db.transaction().execute(fn);
}
