import type { Kysely } from "kysely";
import { ProfileflowError } from "../../core/errors.ts";
import type { Database } from "../../db/schema.ts";
import { parsePolicyDocument } from "../../iam/policy-document.ts";
import { DEFAULT_VERSION_ID, type PrincipalType } from "../../security/iam/policy-store.ts";
import type { Operation } from "../operation.ts";
import { type IamDeps, iamOp } from "./iam-operations.ts";
import { page, policyXml } from "./iam-wire.ts";
import {
  ARN,
  DOCUMENT,
  type Form,
  NAME,
  optional,
  PATH,
  POLICY_DESCRIPTION,
  POLICY_NAME,
  required,
} from "./members.ts";

/** Managed policies, their attachments to users and roles, and inline (embedded) policies. */
export function policyOperations(d: IamDeps): Operation[] {
  const { db, iam, policies } = d;
  const tx = <T>(fn: (q: Kysely<Database>) => Promise<T>) => db.transaction().execute(fn);
  /** The user's or role's key, after checking it exists (NoSuchEntity otherwise). */
  const principalKey = async (q: Kysely<Database>, type: PrincipalType, form: Form): Promise<string> => {
    if (type === "user")
      return (await iam.getUser(q, required(form, "UserName", NAME))).userName.toLowerCase();
    return (await iam.getRole(q, required(form, "RoleName", NAME))).roleName.toLowerCase();
  };
  const identityDocument = (form: Form) => {
    const document = required(form, "PolicyDocument", DOCUMENT);
    parsePolicyDocument(document, "identity");
    return document;
  };
  const ops: Operation[] = [
    iamOp("CreatePolicy", async (f) => {
      const p: Parameters<typeof policies.create>[1] = {
        policyName: required(f, "PolicyName", POLICY_NAME),
        path: optional(f, "Path", PATH) ?? "/",
        document: identityDocument(f),
      };
      const description = optional(f, "Description", POLICY_DESCRIPTION);
      if (description !== undefined) p.description = description;
      return { Policy: policyXml(await policies.create(db, p)) };
    }),
    iamOp("GetPolicy", async (f) => ({
      Policy: policyXml(await policies.get(db, required(f, "PolicyArn", ARN))),
    })),
    iamOp("GetPolicyVersion", async (f) => {
      const p = await policies.get(db, required(f, "PolicyArn", ARN));
      const version = required(f, "VersionId", {
        pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/,
        patternText: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
      });
      if (version !== DEFAULT_VERSION_ID) {
        throw new ProfileflowError(
          "RESOURCE_NOT_FOUND",
          `Policy ${p.arn} version ${version} does not exist or is not attachable.`,
        );
      }
      return {
        PolicyVersion: {
          Document: encodeURIComponent(p.document),
          VersionId: DEFAULT_VERSION_ID,
          IsDefaultVersion: true,
          CreateDate: new Date(p.createdAt),
        },
      };
    }),
    iamOp("ListPolicies", async (f) => {
      const scope = optional(f, "Scope") ?? "All";
      const o: { pathPrefix?: string; onlyAttached?: boolean } = {
        onlyAttached: f["OnlyAttached"] === "true",
      };
      const prefix = optional(f, "PathPrefix", PATH);
      if (prefix !== undefined) o.pathPrefix = prefix;
      // No AWS managed policies live here: Scope=AWS lists nothing.
      const list = scope === "AWS" ? [] : await policies.list(db, o);
      return page(f, list, "Policies", policyXml);
    }),
    iamOp("DeletePolicy", async (f) => {
      await tx((q) => policies.delete(q, required(f, "PolicyArn", ARN)));
      return undefined;
    }),
  ];
  for (const [type, Noun] of [
    ["user", "User"],
    ["role", "Role"],
  ] as const) {
    ops.push(
      iamOp(`Attach${Noun}Policy`, async (f) => {
        await tx(async (q) =>
          policies.attach(q, type, await principalKey(q, type, f), required(f, "PolicyArn", ARN)),
        );
        return undefined;
      }),
      iamOp(`Detach${Noun}Policy`, async (f) => {
        await tx(async (q) =>
          policies.detach(q, type, await principalKey(q, type, f), required(f, "PolicyArn", ARN)),
        );
        return undefined;
      }),
      iamOp(`ListAttached${Noun}Policies`, async (f) => {
        const list = await tx(async (q) => policies.attached(q, type, await principalKey(q, type, f)));
        return page(f, list, "AttachedPolicies", (p) => ({ PolicyName: p.policyName, PolicyArn: p.arn }));
      }),
      iamOp(`Put${Noun}Policy`, async (f) => {
        const policyName = required(f, "PolicyName", POLICY_NAME);
        const document = identityDocument(f);
        await tx(async (q) =>
          policies.putInline(q, type, await principalKey(q, type, f), { policyName, document }),
        );
        return undefined;
      }),
      iamOp(`Get${Noun}Policy`, async (f) => {
        const p = await tx(async (q) =>
          policies.getInline(q, type, await principalKey(q, type, f), required(f, "PolicyName", POLICY_NAME)),
        );
        const owner = type === "user" ? { UserName: f["UserName"] } : { RoleName: f["RoleName"] };
        return { ...owner, PolicyName: p.policyName, PolicyDocument: encodeURIComponent(p.document) };
      }),
      iamOp(`Delete${Noun}Policy`, async (f) => {
        await tx(async (q) =>
          policies.deleteInline(
            q,
            type,
            await principalKey(q, type, f),
            required(f, "PolicyName", POLICY_NAME),
          ),
        );
        return undefined;
      }),
      iamOp(`List${Noun}Policies`, async (f) => {
        const list = await tx(async (q) => policies.inline(q, type, await principalKey(q, type, f)));
        return page(f, list, "PolicyNames", (p) => p.policyName);
      }),
    );
  }
  return ops;
}
