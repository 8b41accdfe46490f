/**
 * The least-privilege policy of a workflow's role, verbatim from the Customer Profiles administrator
 * guide ("Grant least privilege access to your Customer Profiles execution role"): its statements are
 * conditioned on the `awsOwningService` tag, and its KMS statements name the domain's key.
 * `fillWorkflowRolePolicy` puts the domain's key ARN and the region in its two placeholders.
 * https://docs.aws.amazon.com/connect/latest/adminguide/integrate-customer-profiles-appflow.html
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
