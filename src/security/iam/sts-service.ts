import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { AuditLog } from "./audit-log.ts";
import { globalKeys } from "./global-keys.ts";
import type { IamStore } from "./iam-store.ts";
import type { Principal, Principals } from "./principals.ts";
import type { SessionStore, TemporaryCredentials } from "./session-store.ts";

export interface AssumedRole {
  credentials: TemporaryCredentials;
  assumedRoleId: string;
  arn: string;
}

/** AssumeRole's and GetSessionToken's duration bounds, in seconds (STS API reference). */
export const DURATION = {
  assumeRoleDefault: 3600,
  min: 900,
  sessionTokenDefault: 43_200,
  sessionTokenMax: 129_600,
  rootSessionTokenMax: 3600,
} as const;

/** The STS operations over the IAM stores: who am I, assume a role, get a session token. */
export class StsService {
  constructor(
    private readonly db: Queryable,
    private readonly iam: IamStore,
    private readonly principals: Principals,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    private readonly region: string,
    /** Where AssumeRole's and GetSessionToken's decisions are recorded (allowed and denied alike). */
    private readonly audit?: AuditLog,
  ) {}

  /** One STS decision into the audit trail (the edge records none: STS decides for itself). */
  async #record(
    caller: Principal,
    action: string,
    resource: string,
    decision: "Allow" | "ExplicitDeny" | "ImplicitDeny",
    requestId: string,
  ): Promise<void> {
    await this.audit?.recordOwn(this.db, { requestId, principalArn: caller.arn, action, resource, decision });
  }

  /**
   * Temporary credentials for a role whose trust policy lets the caller assume it. Within the account
   * a trust policy that names the caller (or `*`) is enough; one that names the account needs an
   * identity-based policy of the caller allowing `sts:AssumeRole` on the role as well.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
   */
  async assumeRole(
    caller: Principal,
    roleArn: string,
    sessionName: string,
    durationSeconds?: number,
    requestId = "",
  ): Promise<AssumedRole> {
    if (caller.kind === "root") {
      await this.#record(caller, "sts:AssumeRole", roleArn, "ImplicitDeny", requestId);
      throw new ProfileflowError("ACCESS_DENIED", "Roles may not be assumed by root accounts.");
    }
    const deny = async (decision: "ExplicitDeny" | "ImplicitDeny") => {
      await this.#record(caller, "sts:AssumeRole", roleArn, decision, requestId);
      return new ProfileflowError(
        "ACCESS_DENIED",
        denialMessage(caller.arn, "sts:AssumeRole", roleArn, decision),
      );
    };
    const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const role = roleArn.startsWith(`arn:aws:iam::${caller.account}:role/`)
      ? await this.iam.findRole(this.db, name)
      : undefined;
    if (!role || role.arn !== roleArn) throw await deny("ImplicitDeny");
    const ids = caller.kind === "role" ? [caller.arn, caller.roleArn] : [caller.arn];
    const request = {
      action: "sts:AssumeRole",
      resource: role.arn,
      // The request's global keys, as for any other action (a Deny conditioned on them must apply).
      context: contextValues(globalKeys(caller, this.clock.now(), this.region)),
    };
    const trust = [
      { name: `${role.roleName} trust policy`, document: this.principals.parsed(role.trustPolicy, "trust") },
    ];
    const byTrust = evaluatePolicies(trust, {
      ...request,
      principal: { type: "AWS", ids, account: caller.account },
    });
    if (byTrust.decision === "ExplicitDeny") throw await deny("ExplicitDeny");
    const identity = evaluatePolicies(await this.principals.policiesOf(this.db, caller), request);
    if (identity.decision === "ExplicitDeny") throw await deny("ExplicitDeny");
    const namesCaller =
      evaluatePolicies(trust, { ...request, principal: { type: "AWS", ids } }).decision === "Allow";
    if (byTrust.decision !== "Allow" || !(namesCaller || identity.decision === "Allow"))
      throw await deny("ImplicitDeny");
    await this.#record(caller, "sts:AssumeRole", role.arn, "Allow", requestId);
    // Role chaining limits a session to one hour.
    const max = caller.kind === "role" ? Math.min(3600, role.maxSessionDuration) : role.maxSessionDuration;
    const duration = durationSeconds ?? Math.min(DURATION.assumeRoleDefault, max);
    checkDuration(duration, DURATION.min, max);
    const credentials = await this.sessions.issue(
      this.db,
      { principalType: "role", principalKey: role.roleName.toLowerCase(), sessionName },
      duration,
    );
    return {
      credentials,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      arn: this.iam.arns.assumedRole(role.roleName, sessionName),
    };
  }

  /** Temporary credentials for the caller itself; not from temporary credentials. */
  async getSessionToken(
    caller: Principal,
    durationSeconds?: number,
    requestId = "",
  ): Promise<TemporaryCredentials> {
    if (caller.temporary) {
      await this.#record(caller, "sts:GetSessionToken", "*", "ImplicitDeny", requestId);
      throw new ProfileflowError("ACCESS_DENIED", "Cannot call GetSessionToken with session credentials");
    }
    const max = caller.kind === "root" ? DURATION.rootSessionTokenMax : DURATION.sessionTokenMax;
    const duration = durationSeconds ?? Math.min(DURATION.sessionTokenDefault, max);
    checkDuration(duration, DURATION.min, max);
    await this.#record(caller, "sts:GetSessionToken", "*", "Allow", requestId);
    const owner =
      caller.kind === "user"
        ? { principalType: "user" as const, principalKey: caller.userName.toLowerCase() }
        : { principalType: "root" as const, principalKey: caller.account };
    return this.sessions.issue(this.db, owner, duration);
  }
}

function checkDuration(duration: number, min: number, max: number): void {
  if (!Number.isInteger(duration) || duration < min || duration > max) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `The requested DurationSeconds exceeds the allowed range: it must be between ${min} and ${max} seconds, not ${duration}.`,
    );
  }
}
