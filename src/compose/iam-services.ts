import type { Kysely } from "kysely";
import { auditOperations } from "../api/audit/audit-operations.ts";
import { iamOperations } from "../api/iam/iam-operations.ts";
import type { ServiceDefinition } from "../api/operation.ts";
import { stsOperations } from "../api/sts/sts-operations.ts";
import type { Clock } from "../core/clock.ts";
import type { SecretBox } from "../core/secret-box.ts";
import type { Database } from "../db/schema.ts";
import type { AccessKeyStore } from "../security/access-key-store.ts";
import { AuditLog } from "../security/iam/audit-log.ts";
import { Authorizer } from "../security/iam/authorizer.ts";
import { IamStore } from "../security/iam/iam-store.ts";
import { PolicyStore } from "../security/iam/policy-store.ts";
import { Principals } from "../security/iam/principals.ts";
import { SessionStore } from "../security/iam/session-store.ts";
import { StsService } from "../security/iam/sts-service.ts";
import { RoleSessionActor } from "../security/iam/workflow-role-actor.ts";

export interface IamServices {
  iam: IamStore;
  policies: PolicyStore;
  /** The verifier's secret lookup, and access key → principal + policies. */
  principals: Principals;
  sts: StsService;
  /** Every signed request's authorization (the edge's `authorize`). */
  authorizer: Authorizer;
  /** The audit trail of authorization decisions on mutating calls (the edge's and workflows'). */
  audit: AuditLog;
  /** A workflow's actions, authorized as a session of its role. */
  roleActor: RoleSessionActor;
  /** The IAM and STS wire operations (awsQuery, signing names `iam` and `sts`) and ListAuditEvents. */
  services: ServiceDefinition[];
}

/** IAM users, roles, policies and STS temporary credentials, over the account's access keys. */
export function composeIam(deps: {
  db: Kysely<Database>;
  accessKeys: AccessKeyStore;
  box: SecretBox;
  clock: Clock;
  accountId: string;
  region: string;
}): IamServices {
  const { db, accessKeys, box, clock } = deps;
  const iam = new IamStore(deps.accountId, box, clock);
  const policies = new PolicyStore(iam.arns, clock);
  const sessions = new SessionStore(box, clock);
  const principals = new Principals(db, accessKeys, iam, policies, sessions, clock);
  const audit = new AuditLog(clock);
  const sts = new StsService(db, iam, principals, sessions, clock, deps.region, audit);
  return {
    iam,
    policies,
    principals,
    sts,
    authorizer: new Authorizer(db, principals, clock, deps.region, deps.accountId, audit),
    audit,
    roleActor: new RoleSessionActor(principals, iam, clock, deps.region, deps.accountId, audit),
    services: [
      iamOperations({ db, iam, policies, principals, accessKeys }),
      stsOperations({ principals, sts }),
      auditOperations({ db, audit }),
    ],
  };
}
