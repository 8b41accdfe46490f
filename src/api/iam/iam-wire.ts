import type { IamRole, IamUser } from "../../security/iam/iam-store.ts";
import { DEFAULT_VERSION_ID, type ManagedPolicy } from "../../security/iam/policy-store.ts";
import type { XmlObject, XmlValue } from "../query-protocol.ts";
import { type Form, optionalInt } from "./members.ts";

/** IAM's `User` shape. */
export function userXml(u: IamUser): XmlObject {
  return {
    Path: u.path,
    UserName: u.userName,
    UserId: u.userId,
    Arn: u.arn,
    CreateDate: new Date(u.createdAt),
  };
}

/** IAM's `Role` shape; policy documents travel URL-encoded, as IAM sends them. */
export function roleXml(r: IamRole): XmlObject {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: new Date(r.createdAt),
    AssumeRolePolicyDocument: encodeURIComponent(r.trustPolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
  };
}

/** IAM's `Policy` shape (one version, `v1`, always the default). */
export function policyXml(p: ManagedPolicy): XmlObject {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: DEFAULT_VERSION_ID,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: new Date(p.createdAt),
    UpdateDate: new Date(p.updatedAt),
  };
}

/**
 * One page of a list: `MaxItems` (1–1000, default 100) from `Marker` (an opaque offset we gave out);
 * the list's element named `member`, with `IsTruncated` and the next `Marker`.
 */
export function page<T>(form: Form, items: T[], listName: string, map: (t: T) => XmlValue): XmlObject {
  const max = optionalInt(form, "MaxItems", 1, 1000) ?? 100;
  const marker = form["Marker"];
  const start = marker !== undefined && /^\d+$/.test(marker) ? Number(marker) : 0;
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return {
    [listName]: slice.map(map),
    IsTruncated: truncated,
    Marker: truncated ? String(start + max) : undefined,
  };
}
