/** Tables of IAM and STS (migration 0002). `*_key` columns hold lower-cased names (IAM names ignore case). */
export interface IamUsersTable {
  user_key: string;
  user_name: string;
  user_id: string;
  path: string;
  created_at: number;
}

export interface IamRolesTable {
  role_key: string;
  role_name: string;
  role_id: string;
  path: string;
  /** The trust policy as the caller sent it (JSON text). */
  trust_policy: string;
  description: string | null;
  max_session_duration: number;
  created_at: number;
}

export interface IamPoliciesTable {
  /** The lower-cased policy name (unique in the account whatever the path). */
  policy_key: string;
  policy_name: string;
  policy_id: string;
  path: string;
  description: string | null;
  document: string;
  created_at: number;
  updated_at: number;
}

export interface IamAttachmentsTable {
  /** `user` or `role`. */
  principal_type: string;
  principal_key: string;
  /** The managed policy's `policy_key`. */
  policy_key: string;
}

export interface IamInlinePoliciesTable {
  principal_type: string;
  principal_key: string;
  policy_key: string;
  policy_name: string;
  document: string;
}

/** Temporary credentials; the session token is kept only as its SHA-256. */
export interface IamSessionsTable {
  access_key_id: string;
  secret_ciphertext: string;
  token_hash: string;
  /** `role` (AssumeRole), `user` or `root` (GetSessionToken). */
  principal_type: string;
  principal_key: string;
  session_name: string | null;
  expires_at: number;
  created_at: number;
}

/** One authorization decision on a mutating call (issue 16, point 5); `at` in epoch ms. */
export interface AuditEventsTable {
  id: string;
  at: number;
  /** The request's `x-amzn-RequestId`, or `workflow:{WorkflowId}` for a workflow's own actions. */
  request_id: string;
  principal_arn: string;
  action: string;
  resource: string;
  /** `Allow`, `ExplicitDeny` or `ImplicitDeny`. */
  decision: string;
}

export interface IamTables {
  iam_users: IamUsersTable;
  iam_roles: IamRolesTable;
  iam_policies: IamPoliciesTable;
  iam_attachments: IamAttachmentsTable;
  iam_inline_policies: IamInlinePoliciesTable;
  iam_sessions: IamSessionsTable;
  audit_events: AuditEventsTable;
}
