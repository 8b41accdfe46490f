import {
  type ConnectorType,
  CreateConnectorProfileCommand,
  ListConnectorEntitiesCommand,
} from "@aws-sdk/client-appflow";
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { Clients } from "../../aws.ts";
import { SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, type Source } from "./sources.ts";

/** The new connection's fields as typed on the Establish connection page. */
export interface ConnectionDraft {
  name: string;
  instanceUrl: string;
  credentials: Record<string, string>;
}

/** The answer of a live connection test: "Connected" or the vendor's precise reason (the API's message). */
export type TestResult =
  | { state: "idle" }
  | { state: "testing" }
  | { state: "connected"; connection: string }
  | { state: "failed"; message: string };

/**
 * Salesforce's connected-app id and secret go into a Secrets Manager secret named after the connection
 * (as the demo does); its ARN is the profile's clientCredentialsArn.
 */
async function salesforceSecretArn(c: Clients, d: ConnectionDraft): Promise<string | undefined> {
  const clientId = d.credentials[SALESFORCE_CLIENT_ID];
  const clientSecret = d.credentials[SALESFORCE_CLIENT_SECRET];
  if (!clientId || !clientSecret) return undefined;
  const Name = `profileflow/salesforce/${d.name}`;
  const SecretString = JSON.stringify({ clientId, clientSecret });
  try {
    return (await c.secrets.send(new CreateSecretCommand({ Name, SecretString }))).ARN;
  } catch (e) {
    if ((e as Error).name !== "ResourceExistsException") throw e;
    return (await c.secrets.send(new PutSecretValueCommand({ SecretId: Name, SecretString }))).ARN;
  }
}

/** connectorProfileCredentials.<key> as AppFlow models it for `source`. */
async function credentialsOf(
  c: Clients,
  source: Source,
  d: ConnectionDraft,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of source.credentials) {
    const v = d.credentials[f.member];
    if (v && f.member !== SALESFORCE_CLIENT_ID && f.member !== SALESFORCE_CLIENT_SECRET) out[f.member] = v;
  }
  if (source.type === "Salesforce") {
    const arn = await salesforceSecretArn(c, d);
    if (arn) out["clientCredentialsArn"] = arn;
  }
  return out;
}

/** CreateConnectorProfile: the server tests the connection before it saves it, and refuses with the reason. */
export async function createConnection(c: Clients, source: Source, d: ConnectionDraft): Promise<string> {
  await c.appflow.send(
    new CreateConnectorProfileCommand({
      connectorProfileName: d.name,
      connectorType: source.type as ConnectorType,
      connectionMode: "Public",
      connectorProfileConfig: {
        connectorProfileProperties: { [source.key]: { instanceUrl: d.instanceUrl } },
        connectorProfileCredentials: { [source.key]: await credentialsOf(c, source, d) },
      },
    }),
  );
  return d.name;
}

/** An existing connection tested live: listing its objects asks the vendor with its saved credentials. */
export async function testExisting(c: Clients, connection: string): Promise<void> {
  await c.appflow.send(new ListConnectorEntitiesCommand({ connectorProfileName: connection }));
}
