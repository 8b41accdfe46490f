import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  fillWorkflowRolePolicy,
  WORKFLOW_ROLE_TRUST_POLICY,
} from "../../src/security/iam/workflow-role-policy.ts";

/** Where the role is created: a test server's endpoint and the root's credentials. */
export interface IamTarget {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  /** The time requests are signed at (a test on a shared clock); the wall clock when absent. */
  now?: () => number;
}

/** The role name tests give a domain's workflows (as `profileflow integrate` names it). */
export function workflowRoleName(domain: string): string {
  return `CustomerProfilesWorkflow-${domain}`;
}

/**
 * The role a domain's workflows act as, created through the real IAM client as the console and
 * `profileflow integrate --create-role` create it: trusted by profile.amazonaws.com, the seed's
 * least-privilege policy inline with the domain's key (`keyArn`, GetDomain's DefaultEncryptionKey) and
 * the region. An existing role of that name gets the policy again. Returns the role's ARN.
 */
export async function ensureWorkflowRole(
  at: IamTarget,
  o: { domain: string; keyArn: string; name?: string },
): Promise<string> {
  const region = at.region ?? "us-east-1";
  const iam = new IAMClient({ endpoint: at.endpoint, region, credentials: at.credentials, maxAttempts: 1 });
  const send = <T>(command: unknown): Promise<T> => {
    if (at.now) iam.config.systemClockOffset = at.now() - Date.now();
    return (iam as unknown as { send(c: unknown): Promise<T> }).send(command);
  };
  try {
    const RoleName = o.name ?? workflowRoleName(o.domain);
    let arn: string | undefined;
    try {
      arn = (await send<{ Role?: { Arn?: string } }>(new GetRoleCommand({ RoleName }))).Role?.Arn;
    } catch (e) {
      if ((e as Error).name !== "NoSuchEntityException") throw e;
      const made = await send<{ Role?: { Arn?: string } }>(
        new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY }),
      );
      arn = made.Role?.Arn;
    }
    await send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: "CustomerProfilesWorkflowLeastPrivilege",
        PolicyDocument: fillWorkflowRolePolicy(o.keyArn, region),
      }),
    );
    if (!arn) throw new Error(`IAM returned no ARN for role ${RoleName}`);
    return arn;
  } finally {
    iam.destroy();
  }
}
