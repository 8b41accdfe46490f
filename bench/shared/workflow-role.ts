import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  fillWorkflowRolePolicy,
  WORKFLOW_ROLE_TRUST_POLICY,
} from "../../src/security/iam/workflow-role-policy.ts";

/**
 * A role for a benchmark's workflows, as `profileflow integrate --create-role` makes it: trusted by
 * profile.amazonaws.com, the seed's least-privilege policy for the domain's key. Every workflow acts as
 * its role (CreateIntegrationWorkflow refuses a role that does not exist), so the figures include the
 * authorization of each action the workflow takes. Returns the role's ARN.
 */
export async function benchWorkflowRole(
  config: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  },
  o: { name: string; keyArn: string },
): Promise<string> {
  const iam = new IAMClient(config);
  try {
    const made = await iam.send(
      new CreateRoleCommand({ RoleName: o.name, AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: o.name,
        PolicyName: "CustomerProfilesWorkflowLeastPrivilege",
        PolicyDocument: fillWorkflowRolePolicy(o.keyArn, config.region),
      }),
    );
    return made.Role!.Arn!;
  } finally {
    iam.destroy();
  }
}
