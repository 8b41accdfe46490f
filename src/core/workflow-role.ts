/**
 * A workflow acts as the role it was given (issue 16, point 3): every action it takes is authorized
 * against the role's policies as an assumed-role session of that role. This is the port; the security
 * layer implements it (src/security/iam/workflow-role-actor.ts) and the composition root wires it.
 * `Q` is the executor reads go through (the database or a transaction; core names no db type).
 */
export interface WorkflowRoleActor<Q> {
  /**
   * Authorizes `actions` in order as `who`; the first one refused is returned (nothing after it is
   * asked), undefined when all are allowed. Reads (the role's policies, resource tags, the domain's
   * key) go through `q`, so resources created earlier in the caller's transaction are seen.
   */
  authorize(q: Q, who: WorkflowSession, actions: readonly RoleAction[]): Promise<RoleDenial | undefined>;
  /**
   * Records a refusal in the audit trail again, through `q` outside the transaction it was decided in:
   * for a caller whose transaction the refusal rolled back (with the audit row written in it).
   */
  recordRefusal(q: Q, who: WorkflowSession, denial: RoleDenial): Promise<void>;
}

/** The session a workflow acts in. */
export interface WorkflowSession {
  readonly roleArn: string;
  readonly workflowId: string;
  readonly domainName: string;
}

/** One action a workflow takes. */
export interface RoleAction {
  /** `service:Action`, e.g. `appflow:CreateFlow`. */
  readonly action: string;
  /** The resource's ARN, or `domain-key`: the domain's KMS key (its DefaultEncryptionKey). */
  readonly resource: string | "domain-key";
  /** Tags the action sets (`aws:RequestTag/…`, `aws:TagKeys`). */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** Service condition keys (`kms:ViaService`, `kms:GrantOperations`). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Whether the action changes something (its decision is recorded in the audit trail). */
  readonly mutating: boolean;
}

/** A refused action: AWS's AccessDenied sentence names the session, the action and the resource. */
export interface RoleDenial {
  readonly action: string;
  readonly resource: string;
  readonly message: string;
  /** The session refused (absent when the role could not be assumed at all). */
  readonly principalArn?: string;
  readonly decision?: "ExplicitDeny" | "ImplicitDeny";
  /** Whether the refused action changes something (its refusal belongs in the audit trail). */
  readonly mutating?: boolean;
}

/** Thrown inside a transaction a denial must roll back; the runner records the denial after it. */
export class RoleDeniedError extends Error {
  constructor(
    readonly denial: RoleDenial,
    /** The session refused, when the catcher needs it (to record the refusal after the rollback). */
    readonly session?: WorkflowSession,
  ) {
    super(denial.message);
    this.name = "RoleDeniedError";
  }
}
