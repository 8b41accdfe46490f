import type { WorkflowRoleActor } from "../../src/core/workflow-role.ts";
import type { Queryable } from "../../src/db/queryable.ts";

/**
 * For tests of the workflow runner's mechanics without IAM (no server, no roles): a role check that
 * accepts any RoleArn and an actor that allows every action. The real ones
 * (src/security/iam/workflow-role-check.ts, workflow-role-actor.ts) are tested through the API in
 * test/workflows/role-*.test.ts.
 */
export const allowAllRole: {
  roles: { check(q: Queryable, accessKeyId: string, roleArn: string): Promise<unknown> };
  roleActor: WorkflowRoleActor<Queryable>;
} = {
  roles: { check: async (_q, _key, roleArn) => ({ roleArn }) },
  roleActor: { authorize: async () => undefined, recordRefusal: async () => undefined },
};

/** The caller the service-level tests create workflows as (the allow-all check ignores it). */
export const TEST_CALLER = "AKIDSERVICETEST";
