import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startSalesforceSandbox } from "../../src/sandbox/salesforce/salesforce-sandbox.ts";
import { describeSourceSync } from "./source-sync.ts";

describeSourceSync({
  title: "Salesforce Contact",
  start: (o) => startSalesforceSandbox(o),
  connectorType: "Salesforce",
  // As with AWS: the connected app's id and secret live in Secrets Manager, named by clientCredentialsArn.
  profileConfig: async (sb, t) => {
    const secrets = new SecretsManagerClient({
      endpoint: t.endpoint,
      region: "us-east-1",
      credentials: t.credentials,
    });
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: "salesforce/connected-app",
        SecretString: JSON.stringify({
          clientId: sb.credentials.clientId,
          clientSecret: sb.credentials.clientSecret,
        }),
      }),
    );
    secrets.destroy();
    return {
      connectorProfileProperties: { Salesforce: { instanceUrl: sb.url } },
      connectorProfileCredentials: {
        Salesforce: {
          accessToken: sb.credentials.accessToken,
          refreshToken: sb.credentials.refreshToken,
          clientCredentialsArn: secret.ARN!,
        },
      },
    };
  },
  person: {
    connectorType: "Salesforce",
    propertiesKey: "Salesforce",
    object: "Contact",
    objectTypeName: "Salesforce-Contact",
    cursor: "SystemModstamp",
    extraProperties: { EnableDynamicFieldUpdate: false, IncludeDeletedRecords: true },
  },
  personKey: "_salesforceContactId",
  change: { fields: { FirstName: "Quillon" }, shows: (p) => p?.FirstName, expected: "Quillon" },
  touch: { Title: "Director" },
});
