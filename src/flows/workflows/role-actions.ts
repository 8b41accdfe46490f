import { appflowArn, ProfileArns, scopeOf } from "../../core/arns.ts";
import type { RoleAction } from "../../core/workflow-role.ts";
import { OWNING_SERVICE_TAG_KEY, OWNING_SERVICE_TAG_VALUE } from "./owning-service-tag.ts";

/**
 * The actions a workflow takes as its role, each with the resource and request context AWS would
 * authorize it with, so the seed's least-privilege policy decides exactly as it does in AWS:
 * creating a flow and its integration (tagged `awsOwningService`, with the KMS grants on the domain's
 * key that AppFlow and Customer Profiles make), running a step, reading its execution, deleting.
 */

const OWNING = { [OWNING_SERVICE_TAG_KEY]: OWNING_SERVICE_TAG_VALUE } as const;

/** The Customer Profiles integration ARN of `uri` (a flow ARN) in `domain`. */
export function integrationArn(flowArn: string, domain: string, uri = flowArn): string {
  const { region, accountId } = scopeOf(flowArn);
  return new ProfileArns(region, accountId).integration(domain, uri);
}

/**
 * Creating a flow for the workflow and its integration: appflow:CreateFlow and appflow:TagResource
 * with the owning tag, appflow:UseConnectorProfile on the source's connection, the grants AppFlow makes
 * on the domain's key through kms:ViaService (kms:ListGrants, kms:CreateGrant), profile:PutIntegration
 * and profile:TagResource with the owning tag, and the Decrypt grant Customer Profiles makes.
 */
export function createFlowActions(flowArn: string, domain: string, connectorProfile: string): RoleAction[] {
  const scope = scopeOf(flowArn);
  const { region } = scope;
  const viaAppflow = { "kms:ViaService": `appflow.${region}.amazonaws.com` };
  const integration = integrationArn(flowArn, domain);
  return [
    { action: "appflow:CreateFlow", resource: flowArn, requestTags: OWNING, mutating: true },
    { action: "appflow:TagResource", resource: flowArn, requestTags: OWNING, mutating: true },
    {
      action: "appflow:UseConnectorProfile",
      resource: appflowArn(scope, "connectorprofile", connectorProfile),
      mutating: false,
    },
    { action: "kms:ListGrants", resource: "domain-key", context: viaAppflow, mutating: false },
    {
      action: "kms:CreateGrant",
      resource: "domain-key",
      context: { ...viaAppflow, "kms:GrantOperations": ["Encrypt", "Decrypt", "GenerateDataKey"] },
      mutating: true,
    },
    { action: "profile:PutIntegration", resource: integration, requestTags: OWNING, mutating: true },
    { action: "profile:TagResource", resource: integration, requestTags: OWNING, mutating: true },
    {
      action: "kms:CreateGrant",
      resource: "domain-key",
      context: {
        "kms:ViaService": `profile.${region}.amazonaws.com`,
        "kms:GrantOperations": ["Decrypt"],
      },
      mutating: true,
    },
  ];
}

/** Starting a flow's execution: appflow:DescribeFlow, then appflow:StartFlow (its tags decide). */
export function startFlowActions(flowArn: string): RoleAction[] {
  return [
    { action: "appflow:DescribeFlow", resource: flowArn, mutating: false },
    { action: "appflow:StartFlow", resource: flowArn, mutating: true },
  ];
}

/** Reading how a step's execution ended: appflow:DescribeFlowExecutionRecords. */
export function readExecutionActions(flowArn: string): RoleAction[] {
  return [{ action: "appflow:DescribeFlowExecutionRecords", resource: flowArn, mutating: false }];
}

/** Deleting a step's integration and flow: profile:DeleteIntegration, appflow:DeleteFlow. */
export function deleteFlowActions(flowArn: string, domain: string, uri: string): RoleAction[] {
  return [
    { action: "profile:DeleteIntegration", resource: integrationArn(flowArn, domain, uri), mutating: true },
    { action: "appflow:DeleteFlow", resource: flowArn, mutating: true },
  ];
}
