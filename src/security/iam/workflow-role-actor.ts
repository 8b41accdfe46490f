import { ProfileArns } from "../../core/arns.ts";
import type { Clock } from "../../core/clock.ts";
import type { RoleAction, RoleDenial, WorkflowRoleActor, WorkflowSession } from "../../core/workflow-role.ts";
import type { Queryable } from "../../db/queryable.ts";
import { denialMessage } from "../../iam/denial-message.ts";
import { evaluatePolicies } from "../../iam/policy-evaluator.ts";
import { contextValues } from "../../iam/request-context.ts";
import type { AuditLog } from "./audit-log.ts";
import { globalKeys } from "./global-keys.ts";
import type { IamStore } from "./iam-store.ts";
import type { Principal, Principals } from "./principals.ts";
import { PROFILE_SERVICE_PRINCIPAL, trustsCustomerProfiles } from "./profile-trust.ts";

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[^/]*\/)*([^/]+)$/;
const INTEGRATION = /:domains\/[^/]+\/integrations\/(.+)$/;

/** The role session name a workflow acts under (AWS allows 64 characters). */
export function workflowSessionName(workflowId: string): string {
  return `profile-wf-${workflowId.slice(0, 12)}`;
}

/**
 * Authorizes a workflow's actions as an assumed-role session of its role
 * (`arn:aws:sts::{account}:assumed-role/{role}/profile-wf-{id}`), against the role's
 * identity-based policies, with the global keys of that session, the action's request tags
 * (`aws:RequestTag/…`, `aws:TagKeys`), the resource's stored tags (`aws:ResourceTag/…`; an integration
 * has its flow's, as TagResource stores them) and the action's service keys (`kms:ViaService`,
 * `kms:GrantOperations`). KMS actions act on the domain's key (its DefaultEncryptionKey). The role is
 * assumed again for each call: a role that no longer exists, or whose trust policy no longer lets
 * profile.amazonaws.com assume it (with `aws:SourceAccount` the account and `aws:SourceArn` the workflow's
 * domain), cannot be assumed, and the first action is refused naming
 * sts:AssumeRole and why. Decisions on mutating actions go to the audit trail.
 */
export class RoleSessionActor implements WorkflowRoleActor<Queryable> {
  readonly #arns: ProfileArns;

  constructor(
    private readonly principals: Principals,
    private readonly iam: IamStore,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly account: string,
    private readonly audit?: AuditLog,
  ) {
    this.#arns = new ProfileArns(region, account);
  }

  async authorize(
    q: Queryable,
    who: WorkflowSession,
    actions: readonly RoleAction[],
  ): Promise<RoleDenial | undefined> {
    const sessionName = workflowSessionName(who.workflowId);
    const session = await this.#session(q, who.roleArn, sessionName, who.domainName);
    if (session.refused !== undefined) {
      const first = actions[0];
      return {
        action: "sts:AssumeRole",
        resource: who.roleArn,
        message: `Customer Profiles is unable to assume role ${who.roleArn}${first ? ` to perform ${first.action}` : ""}: ${session.refused}.`,
      };
    }
    const principal = session.principal;
    const policies = await this.principals.policiesOf(q, principal);
    const keys = globalKeys(principal, this.clock.now(), this.region);
    let domainKey: string | undefined;
    for (const a of actions) {
      let resource = a.resource;
      if (resource === "domain-key") {
        domainKey ??= await this.#domainKey(q, who.domainName);
        resource = domainKey;
      }
      const context: Record<string, string | readonly string[] | undefined> = { ...keys, ...a.context };
      if (a.requestTags) {
        context["aws:TagKeys"] = Object.keys(a.requestTags);
        for (const [k, v] of Object.entries(a.requestTags)) context[`aws:RequestTag/${k}`] = v;
      }
      for (const [k, v] of Object.entries(await this.#tagsOf(q, resource))) {
        context[`aws:ResourceTag/${k}`] = v;
      }
      const e = evaluatePolicies(policies, { action: a.action, resource, context: contextValues(context) });
      if (a.mutating && this.audit) {
        await this.audit.recordIn(q, {
          requestId: `workflow:${who.workflowId}`,
          principalArn: principal.arn,
          action: a.action,
          resource,
          decision: e.decision,
        });
      }
      if (e.decision !== "Allow") {
        return {
          action: a.action,
          resource,
          message: denialMessage(principal.arn, a.action, resource, e.decision),
          principalArn: principal.arn,
          decision: e.decision,
          mutating: a.mutating,
        };
      }
    }
    return undefined;
  }

  async recordRefusal(q: Queryable, who: WorkflowSession, denial: RoleDenial): Promise<void> {
    if (!this.audit || !denial.mutating || !denial.principalArn || !denial.decision) return;
    await this.audit.recordIn(q, {
      requestId: `workflow:${who.workflowId}`,
      principalArn: denial.principalArn,
      action: denial.action,
      resource: denial.resource,
      decision: denial.decision,
    });
  }

  /**
   * The role's session principal, assumed now: refused (with the reason) when the role is gone or its
   * trust policy no longer lets profile.amazonaws.com perform sts:AssumeRole on it.
   */
  async #session(
    q: Queryable,
    roleArn: string,
    sessionName: string,
    domainName: string,
  ): Promise<{ principal: Principal; refused?: undefined } | { refused: string }> {
    const m = ROLE_ARN.exec(roleArn);
    const role = m && m[1] === this.account ? await this.iam.findRole(q, m[2]!) : undefined;
    if (!role || role.arn !== roleArn) return { refused: "the role does not exist any more" };
    const source = { account: this.account, domainArn: this.#arns.domain(domainName) };
    if (!trustsCustomerProfiles(this.principals, role, source, this.clock)) {
      return {
        refused: `its trust policy does not allow ${PROFILE_SERVICE_PRINCIPAL} to perform sts:AssumeRole`,
      };
    }
    const principal: Principal = {
      kind: "role",
      arn: this.iam.arns.assumedRole(role.roleName, sessionName),
      userId: `${role.roleId}:${sessionName}`,
      account: this.account,
      temporary: true,
      roleName: role.roleName,
      roleArn: role.arn,
      sessionName,
    };
    return { principal };
  }

  /** The domain's key ARN: the DefaultEncryptionKey given, else the one generated for it. */
  async #domainKey(q: Queryable, domainName: string): Promise<string> {
    const row = await q
      .selectFrom("domains")
      .select(["default_encryption_key", "generated_encryption_key"])
      .where("domain_name", "=", domainName)
      .executeTakeFirst();
    return row?.default_encryption_key ?? row?.generated_encryption_key ?? "*";
  }

  /** A resource's tags; an integration (its URI a flow ARN) has its flow's. */
  async #tagsOf(q: Queryable, resource: string): Promise<Record<string, string>> {
    if (resource === "*") return {};
    const read = async (arn: string) =>
      Object.fromEntries(
        (
          await q
            .selectFrom("resource_tags")
            .select(["tag_key", "tag_value"])
            .where("resource_arn", "=", arn)
            .execute()
        ).map((t) => [t.tag_key, t.tag_value]),
      );
    const own = await read(resource);
    const uri = INTEGRATION.exec(resource)?.[1];
    return Object.keys(own).length === 0 && uri ? read(uri) : own;
  }
}
