import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
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
  ) {}

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
  ): Promise<AssumedRole> {
    if (caller.kind === "root") {
      throw new ProfileflowError("ACCESS_DENIED", "Roles may not be assumed by root accounts.");
    }
    const deny = (decision: "ExplicitDeny" | "ImplicitDeny") =>
      new ProfileflowError("ACCESS_DENIED", denialMessage(caller.arn, "sts:AssumeRole", roleArn, decision));
    const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const role = roleArn.startsWith(`arn:aws:iam::${caller.account}:role/`)
      ? await this.iam.findRole(this.db, name)
      : undefined;
    if (!role || role.arn !== roleArn) throw deny("ImplicitDeny");
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
    if (byTrust.decision === "ExplicitDeny") throw deny("ExplicitDeny");
    const identity = evaluatePolicies(await this.principals.policiesOf(this.db, caller), request);
    if (identity.decision === "ExplicitDeny") throw deny("ExplicitDeny");
    const namesCaller =
      evaluatePolicies(trust, { ...request, principal: { type: "AWS", ids } }).decision === "Allow";
    if (byTrust.decision !== "Allow" || !(namesCaller || identity.decision === "Allow"))
      throw deny("ImplicitDeny");
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
  async getSessionToken(caller: Principal, durationSeconds?: number): Promise<TemporaryCredentials> {
    if (caller.temporary) {
      throw new ProfileflowError("ACCESS_DENIED", "Cannot call GetSessionToken with session credentials");
    }
    const max = caller.kind === "root" ? DURATION.rootSessionTokenMax : DURATION.sessionTokenMax;
    const duration = durationSeconds ?? Math.min(DURATION.sessionTokenDefault, max);
    checkDuration(duration, DURATION.min, max);
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
