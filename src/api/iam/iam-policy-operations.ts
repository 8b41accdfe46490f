import { ProfileflowError } from "../../core/errors.ts";
import { DEFAULT_VERSION_ID, type PolicyStore } from "../../security/iam/policy-store.ts";
import type { Operation } from "../operation.ts";
import type { XmlObject } from "../query-protocol.ts";
import { type IamDeps, iamOp, inTransaction } from "./iam-op.ts";
import { page, policyXml } from "./iam-wire.ts";
import {
  ARN,
  type Form,
  identityDocument,
  optional,
  PATH,
  POLICY_DESCRIPTION,
  POLICY_NAME,
  required,
} from "./members.ts";
import { principalPolicyOperations } from "./principal-policy-operations.ts";

/** Managed policies, their attachments to users and roles, and inline (embedded) policies. */
export function policyOperations(d: IamDeps): Operation[] {
  return [
    iamOp("CreatePolicy", (f) => createPolicy(d, f)),
    iamOp("GetPolicy", async (f) => ({
      Policy: policyXml(await d.policies.get(d.db, required(f, "PolicyArn", ARN))),
    })),
    iamOp("GetPolicyVersion", (f) => getPolicyVersion(d, f)),
    iamOp("ListPolicies", (f) => listPolicies(d, f)),
    iamOp("DeletePolicy", async (f) => {
      await inTransaction(d, (q) => d.policies.delete(q, required(f, "PolicyArn", ARN)));
      return undefined;
    }),
    ...principalPolicyOperations(d, "user"),
    ...principalPolicyOperations(d, "role"),
  ];
}

async function createPolicy({ db, policies }: IamDeps, f: Form): Promise<XmlObject> {
  const p: Parameters<PolicyStore["create"]>[1] = {
    policyName: required(f, "PolicyName", POLICY_NAME),
    path: optional(f, "Path", PATH) ?? "/",
    document: identityDocument(f),
  };
  const description = optional(f, "Description", POLICY_DESCRIPTION);
  if (description !== undefined) p.description = description;
  return { Policy: policyXml(await policies.create(db, p)) };
}

async function getPolicyVersion({ db, policies }: IamDeps, f: Form): Promise<XmlObject> {
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
}

async function listPolicies({ db, policies }: IamDeps, f: Form): Promise<XmlObject> {
  const scope = optional(f, "Scope") ?? "All";
  const o: { pathPrefix?: string; onlyAttached?: boolean } = {
    onlyAttached: f["OnlyAttached"] === "true",
  };
  const prefix = optional(f, "PathPrefix", PATH);
  if (prefix !== undefined) o.pathPrefix = prefix;
  // No AWS managed policies live here: Scope=AWS lists nothing.
  const list = scope === "AWS" ? [] : await policies.list(db, o);
  return page(f, list, "Policies", policyXml);
}
