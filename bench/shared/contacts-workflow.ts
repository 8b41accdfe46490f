import { AppflowClient, CreateConnectorProfileCommand } from "@aws-sdk/client-appflow";
import {
  type CreateIntegrationWorkflowCommandInput,
  CustomerProfilesClient,
  GetProfileObjectTypeTemplateCommand,
} from "@aws-sdk/client-customer-profiles";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SandboxInfo } from "./contacts-sandbox.ts";

/** Where a benchmark's server listens and the root's access key. */
export interface ServerAccess {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An SDK client configuration for `server`, signing as its root, in us-east-1. */
export function clientConfig(server: ServerAccess) {
  return {
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  };
}

/** The SDK clients a user's script uses against `server`; destroy each when done. */
export function userClients(server: ServerAccess) {
  const config = clientConfig(server);
  return {
    profiles: new CustomerProfilesClient(config),
    appflow: new AppflowClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

/**
 * The sandbox's Salesforce connection as a user makes it: its client credentials in a Secrets Manager secret
 * `${prefix}/salesforce`, and the connector profile `${prefix}-sf` (the name it returns) with the refresh token.
 */
export async function connectSalesforce(
  clients: { appflow: AppflowClient; secrets: SecretsManagerClient },
  info: SandboxInfo,
  prefix: string,
): Promise<string> {
  const secret = await clients.secrets.send(
    new CreateSecretCommand({
      Name: `${prefix}/salesforce`,
      SecretString: JSON.stringify({ clientId: info.clientId, clientSecret: info.clientSecret }),
    }),
  );
  const connectorProfileName = `${prefix}-sf`;
  await clients.appflow.send(
    new CreateConnectorProfileCommand({
      connectorProfileName,
      connectorType: "Salesforce",
      connectionMode: "Public",
      connectorProfileConfig: {
        connectorProfileProperties: { Salesforce: { instanceUrl: info.url } },
        connectorProfileCredentials: {
          Salesforce: {
            refreshToken: info.refreshToken,
            ...(secret.ARN ? { clientCredentialsArn: secret.ARN } : {}),
          },
        },
      },
    }),
  );
  return connectorProfileName;
}

/** The Contact fields the Salesforce-Contact template reads: the flow's projection. */
export async function contactFields(profiles: CustomerProfilesClient): Promise<string[]> {
  const template = await profiles.send(
    new GetProfileObjectTypeTemplateCommand({ TemplateId: "Salesforce-Contact" }),
  );
  return [
    ...new Set(
      Object.values(template.Fields ?? {})
        .map((f) => f.Source?.replace(/^_source\./, "") ?? "")
        .filter((f) => f !== ""),
    ),
  ];
}

/** What a Contacts integration workflow reads, and where it writes. */
export interface ContactsWorkflow {
  domain: string;
  flowName: string;
  /** The domain's DefaultEncryptionKey. */
  kmsArn: string;
  connectorProfileName: string;
  roleArn: string;
  /** Its bounded steps, in order; the incremental hand-off starts at the first's start. */
  windows: { from: number; to: number }[];
  fields: string[];
}

/** The CreateIntegrationWorkflow request of a Salesforce Contacts workflow: one step per window, then hourly. */
export function contactsWorkflowInput(w: ContactsWorkflow): CreateIntegrationWorkflowCommandInput {
  return {
    DomainName: w.domain,
    WorkflowType: "APPFLOW_INTEGRATION",
    ObjectTypeName: "Salesforce-Contact",
    RoleArn: w.roleArn,
    IntegrationConfig: {
      AppflowIntegration: {
        Batches: w.windows.map((b) => ({ StartTime: new Date(b.from), EndTime: new Date(b.to) })),
        FlowDefinition: {
          FlowName: w.flowName,
          KmsArn: w.kmsArn,
          SourceFlowConfig: {
            ConnectorType: "Salesforce",
            ConnectorProfileName: w.connectorProfileName,
            SourceConnectorProperties: { Salesforce: { Object: "Contact" } },
            IncrementalPullConfig: { DatetimeTypeFieldName: "SystemModstamp" },
          },
          Tasks: [
            { TaskType: "Filter", SourceFields: w.fields, ConnectorOperator: { Salesforce: "PROJECTION" } },
          ],
          TriggerConfig: {
            TriggerType: "Scheduled",
            TriggerProperties: {
              Scheduled: {
                ScheduleExpression: "rate(1hours)",
                DataPullMode: "Incremental",
                FirstExecutionFrom: new Date(w.windows[0]?.from ?? 0),
              },
            },
          },
        },
      },
    },
  };
}
