import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { PrincipalType } from "../../security/iam/policy-store.ts";
import type { Operation } from "../operation.ts";
import type { XmlObject } from "../query-protocol.ts";
import { type IamDeps, iamOp, inTransaction } from "./iam-op.ts";
import { page } from "./iam-wire.ts";
import { ARN, type Form, identityDocument, NAME, POLICY_NAME, required } from "./members.ts";

/**
 * The policies of one kind of principal (users or roles): attaching managed policies
 * (Attach/Detach/ListAttached{User,Role}Policies) and inline ones (Put/Get/Delete/List{User,Role}Policy).
 * Each runs in one transaction that first checks the principal exists (NoSuchEntity otherwise).
 */
export function principalPolicyOperations(d: IamDeps, type: PrincipalType): Operation[] {
  const Noun = type === "user" ? "User" : "Role";
  return [
    iamOp(`Attach${Noun}Policy`, async (f) => {
      await inTransaction(d, async (q) =>
        d.policies.attach(q, type, await principalKey(d, q, type, f), required(f, "PolicyArn", ARN)),
      );
      return undefined;
    }),
    iamOp(`Detach${Noun}Policy`, async (f) => {
      await inTransaction(d, async (q) =>
        d.policies.detach(q, type, await principalKey(d, q, type, f), required(f, "PolicyArn", ARN)),
      );
      return undefined;
    }),
    iamOp(`ListAttached${Noun}Policies`, (f) => listAttachedPolicies(d, type, f)),
    iamOp(`Put${Noun}Policy`, (f) => putInlinePolicy(d, type, f)),
    iamOp(`Get${Noun}Policy`, (f) => getInlinePolicy(d, type, f)),
    iamOp(`Delete${Noun}Policy`, (f) => deleteInlinePolicy(d, type, f)),
    iamOp(`List${Noun}Policies`, (f) => listInlinePolicies(d, type, f)),
  ];
}

/** The user's or role's key, after checking it exists (NoSuchEntity otherwise). */
async function principalKey(
  d: IamDeps,
  q: Kysely<Database>,
  type: PrincipalType,
  form: Form,
): Promise<string> {
  if (type === "user")
    return (await d.iam.getUser(q, required(form, "UserName", NAME))).userName.toLowerCase();
  return (await d.iam.getRole(q, required(form, "RoleName", NAME))).roleName.toLowerCase();
}

async function listAttachedPolicies(d: IamDeps, type: PrincipalType, f: Form): Promise<XmlObject> {
  const list = await inTransaction(d, async (q) =>
    d.policies.attached(q, type, await principalKey(d, q, type, f)),
  );
  return page(f, list, "AttachedPolicies", (p) => ({ PolicyName: p.policyName, PolicyArn: p.arn }));
}

async function putInlinePolicy(d: IamDeps, type: PrincipalType, f: Form): Promise<undefined> {
  const policyName = required(f, "PolicyName", POLICY_NAME);
  const document = identityDocument(f);
  await inTransaction(d, async (q) =>
    d.policies.putInline(q, type, await principalKey(d, q, type, f), { policyName, document }),
  );
  return undefined;
}

async function getInlinePolicy(d: IamDeps, type: PrincipalType, f: Form): Promise<XmlObject> {
  const p = await inTransaction(d, async (q) =>
    d.policies.getInline(q, type, await principalKey(d, q, type, f), required(f, "PolicyName", POLICY_NAME)),
  );
  const owner = type === "user" ? { UserName: f["UserName"] } : { RoleName: f["RoleName"] };
  return { ...owner, PolicyName: p.policyName, PolicyDocument: encodeURIComponent(p.document) };
}

async function deleteInlinePolicy(d: IamDeps, type: PrincipalType, f: Form): Promise<undefined> {
  await inTransaction(d, async (q) =>
    d.policies.deleteInline(
      q,
      type,
      await principalKey(d, q, type, f),
      required(f, "PolicyName", POLICY_NAME),
    ),
  );
  return undefined;
}

async function listInlinePolicies(d: IamDeps, type: PrincipalType, f: Form): Promise<XmlObject> {
  const list = await inTransaction(d, async (q) =>
    d.policies.inline(q, type, await principalKey(d, q, type, f)),
  );
  return page(f, list, "PolicyNames", (p) => p.policyName);
}
