/**
 * The bulk workflow's role, as `profileflow integrate` creates it (src/cli/integrate/workflow-role.ts).
 * The console imports nothing from src/, so the policy template below is a COPY, as data, of
 * src/security/iam/workflow-role-policy.ts (the seed's "Grant least privilege access to your Customer
 * Profiles execution role", verbatim); keep the two the same. test/console/add-integration.test.ts checks
 * the role the console creates against the server's own fillWorkflowRolePolicy.
 */
export const WORKFLOW_ROLE_POLICY_TEMPLATE = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Condition": {
                "ForAnyValue:StringEquals": {
                    "aws:RequestTag/awsOwningService": "customer-profiles-integration-workflow"
                }
            },
            "Action": [
                "appflow:CreateFlow",
                "appflow:TagResource",
                "profile:TagResource",
                "profile:PutIntegration"
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "CreateFlowResources"
        },
        {
            "Action": [
                "appflow:UseConnectorProfile"
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "UseConnectorResources"
        },
        {
            "Condition": {
                "ForAnyValue:StringEquals": {
                    "aws:ResourceTag/awsOwningService": "customer-profiles-integration-workflow"
                }
            },
            "Action": [
                "appflow:DescribeFlow",
                "appflow:DescribeFlowExecutionRecords",
                "appflow:DeleteFlow",
                "appflow:StartFlow",
                "appflow:StopFlow",
                "appflow:UpdateFlow",
                "profile:DeleteIntegration"
            ],
            "Resource": "*",
            "Effect": "Allow",
            "Sid": "AccessFlowResources"
        },
    {
      "Action": [
        "kms:CreateGrant",
        "kms:ListGrants"
      ],
      "Resource": "{{YourKMSKeyConsumedByTheDomain}}",
      "Condition": {
        "StringEquals": {
          "kms:ViaService": [
            "appflow.{{region}}.amazonaws.com"
          ]
        }
      },
      "Effect": "Allow",
      "Sid": "KMSAppflow"
    },
    {
      "Action": [
        "kms:CreateGrant"
      ],
      "Resource": "{{YourKMSKeyConsumedByTheDomain}}",
      "Condition": {
        "StringEquals": {
          "kms:ViaService": [
            "profile.{{region}}.amazonaws.com"
          ]
        },
        "ForAllValues:StringEquals": {
          "kms:GrantOperations": [
            "Decrypt"
          ]
        }
      },
      "Effect": "Allow",
      "Sid": "KMSCustomerProfiles"
    }
  ]
}
`;

/** The trust policy that lets Customer Profiles (`profile.amazonaws.com`) assume the role. */
export const WORKFLOW_ROLE_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "profile.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The seed's policy with the domain's KMS key ARN and the region filled in. */
export function fillWorkflowRolePolicy(keyArn: string, region: string): string {
  return WORKFLOW_ROLE_POLICY_TEMPLATE.replaceAll("{{YourKMSKeyConsumedByTheDomain}}", keyArn).replaceAll(
    "{{region}}",
    region,
  );
}

/** The inline policy's name on the role (the CLI's WORKFLOW_ROLE_POLICY_NAME). */
export const WORKFLOW_ROLE_POLICY_NAME = "CustomerProfilesWorkflowLeastPrivilege";

/** The name offered for a new role: one per domain, as the role is usable by its domain only. */
export function defaultRoleName(domain: string): string {
  return `CustomerProfilesWorkflow-${domain}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}
