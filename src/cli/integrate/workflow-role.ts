import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { BULK_THRESHOLD_DAYS } from "../../flows/workflows/planner.ts";
import {
  fillWorkflowRolePolicy,
  WORKFLOW_ROLE_TRUST_POLICY,
} from "../../security/iam/workflow-role-policy.ts";
import type { ApiClients } from "./api-clients.ts";
import type { IntegrateFlags } from "./integrate-options.ts";
import type { Prompter } from "./prompter.ts";

/** The bulk workflow's role: one that exists, or one to create (after the review is confirmed). */
export type RoleChoice = { kind: "existing"; arn: string } | { kind: "create"; name: string };

const CREATE = "create a new role";
const EXISTING = "use an existing role";
/** The inline policy's name on a role `integrate` creates. */
export const WORKFLOW_ROLE_POLICY_NAME = "CustomerProfilesWorkflowLeastPrivilege";

/** The name offered for a new role: one per domain, as the console's role is usable by its domain only. */
export function defaultRoleName(domain: string): string {
  return `CustomerProfilesWorkflow-${domain}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

/**
 * The seed's "select or create an IAM role" step: `--role-arn` (an existing role), `--create-role
 * <name>`, else in a terminal a choice between creating one (named, the domain's by default) and giving
 * an existing role's ARN. Without a terminal one of the two flags is required.
 */
export async function chooseRole(
  f: IntegrateFlags,
  domain: string,
  out: NodeJS.WritableStream,
  prompter?: Prompter,
): Promise<RoleChoice> {
  if (f.roleArn) return { kind: "existing", arn: f.roleArn };
  if (f.createRole) return { kind: "create", name: f.createRole };
  out.write(
    `The start date is more than ${BULK_THRESHOLD_DAYS} days back: the history is ingested by a workflow in 2-month batches, which acts as an IAM role that trusts profile.amazonaws.com.\n`,
  );
  if (!prompter) {
    throw new Error(
      "A bulk workflow needs a role: give --role-arn <arn> of an existing one, or --create-role <name> to create one with the least-privilege policy for this domain.",
    );
  }
  const how = await prompter.choose("Role", [CREATE, EXISTING], CREATE);
  if (how === EXISTING) {
    const arn = await prompter.ask("Role ARN for the integration workflow");
    if (!arn) throw new Error("No role ARN given.");
    return { kind: "existing", arn };
  }
  return { kind: "create", name: await prompter.ask("Name of the new role", defaultRoleName(domain)) };
}

/**
 * Creates the workflow's role as the console does: trusted by profile.amazonaws.com, with the seed's
 * least-privilege policy inline, its KMS statements naming the domain's key and the region. Returns the
 * role's ARN.
 */
export async function createWorkflowRole(
  api: ApiClients,
  o: { name: string; domain: string; keyArn: string },
  out: NodeJS.WritableStream,
): Promise<string> {
  const created = await api.iam.send(
    new CreateRoleCommand({
      RoleName: o.name,
      AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY,
      Description: `Customer Profiles integration workflows of domain ${o.domain} (profileflow integrate)`,
    }),
  );
  await api.iam.send(
    new PutRolePolicyCommand({
      RoleName: o.name,
      PolicyName: WORKFLOW_ROLE_POLICY_NAME,
      PolicyDocument: fillWorkflowRolePolicy(o.keyArn, api.region),
    }),
  );
  const arn = created.Role!.Arn!;
  out.write(
    `role ${arn}: created (trusts profile.amazonaws.com; least privilege for domain ${o.domain}, key ${o.keyArn})\n`,
  );
  return arn;
}
