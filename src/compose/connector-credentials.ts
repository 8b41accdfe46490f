import { z } from "zod";
import type { ConnectorCredentials, ConnectorProfileConfig, VendorPolicy } from "../connectors/sdk/index.ts";
import { ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ConnectorProfileStore } from "../flows/connector-profile-store.ts";
import type { ConnectorCredentialsResolver } from "../flows/flow-ports.ts";

type Json = Record<string, unknown>;
const jsonObject = z.record(z.string(), z.unknown());

/** Reads a secret's current value by name or ARN (the secret service). */
export interface SecretValues {
  value(id: string): Promise<{ secretString: string }>;
}
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** The AppFlow properties key of a connector type (note ServiceNow's casing). */
export function propertiesKey(connectorType: string): string {
  return connectorType === "Servicenow" ? "ServiceNow" : connectorType;
}

/**
 * Turns AppFlow's connector-profile credentials (the members the AWS SDK models) into the connector
 * SDK's credential kinds. Salesforce's connected-app client id and secret come from the secret named
 * by `clientCredentialsArn`, as in AWS.
 */
export async function toConnectorCredentials(
  connectorType: string,
  creds: Json,
  secrets: SecretValues,
): Promise<ConnectorCredentials> {
  const fail = (message: string) =>
    new ProfileflowError("VALIDATION_FAILED", `${connectorType} connector profile: ${message}`, {
      member: "connectorProfileConfig.connectorProfileCredentials",
    });
  switch (connectorType) {
    case "Salesforce": {
      const grant = str(creds["oAuth2GrantType"]);
      let client: Json = {};
      const arn = str(creds["clientCredentialsArn"]);
      if (arn) {
        const { secretString } = await secrets.value(arn);
        try {
          client = jsonObject.parse(JSON.parse(secretString));
        } catch {
          throw fail(`secret ${arn} must hold JSON {"clientId": "...", "clientSecret": "..."}`);
        }
      }
      const clientId = str(client["clientId"]) ?? str(client["client_id"]);
      const clientSecret = str(client["clientSecret"]) ?? str(client["client_secret"]);
      const refreshToken = str(creds["refreshToken"]);
      if (grant === "CLIENT_CREDENTIALS") {
        if (!clientId || !clientSecret)
          throw fail("CLIENT_CREDENTIALS needs clientCredentialsArn with clientId and clientSecret");
        return { kind: "oauth_client_credentials", clientId, clientSecret };
      }
      if (refreshToken && clientId && clientSecret)
        return { kind: "oauth_refresh", clientId, clientSecret, refreshToken };
      const accessToken = str(creds["accessToken"]);
      if (accessToken) return { kind: "bearer", accessToken };
      throw fail("give accessToken, or refreshToken with clientCredentialsArn");
    }
    case "Servicenow": {
      const oauth = (creds["oAuth2Credentials"] ?? {}) as Json;
      const username = str(creds["username"]);
      const password = str(creds["password"]);
      const clientId = str(oauth["clientId"]);
      const clientSecret = str(oauth["clientSecret"]);
      const refreshToken = str(oauth["refreshToken"]);
      if (clientId && clientSecret && refreshToken)
        return { kind: "oauth_refresh", clientId, clientSecret, refreshToken };
      if (clientId && clientSecret && username && password) {
        return { kind: "oauth_password", clientId, clientSecret, username, password };
      }
      if (username && password) return { kind: "basic", username, password };
      const accessToken = str(oauth["accessToken"]);
      if (accessToken) return { kind: "bearer", accessToken };
      throw fail("give username and password, or oAuth2Credentials");
    }
    case "Marketo": {
      const clientId = str(creds["clientId"]);
      const clientSecret = str(creds["clientSecret"]);
      if (!clientId || !clientSecret) throw fail("clientId and clientSecret are required");
      return { kind: "oauth_client_credentials", clientId, clientSecret };
    }
    case "Zendesk": {
      const accessToken = str(creds["accessToken"]);
      if (accessToken) return { kind: "bearer", accessToken };
      throw fail("an OAuth accessToken is required");
    }
    default:
      throw fail("is not a source profileflow reads");
  }
}

/**
 * The flows engine's credentials port, over the connector profile store and the secret store. Each
 * resolved profile carries the vendor policy, so every connector opened on it checks its hosts again
 * (a profile stored before `vendorHosts` changed) and caps the vendor's answers.
 */
export function credentialsResolver(
  db: Queryable,
  profiles: ConnectorProfileStore,
  secrets: SecretValues,
  policy?: VendorPolicy,
): ConnectorCredentialsResolver {
  return {
    resolve: async (name: string): Promise<ConnectorProfileConfig> => {
      const p = await profiles.require(db, name);
      const key = propertiesKey(p.connectorType);
      const creds = (await profiles.credentials(db, name))?.[key] ?? {};
      const instanceUrl = str(p.properties[key]?.["instanceUrl"]);
      if (!instanceUrl)
        throw new ProfileflowError("VALIDATION_FAILED", `Connector profile ${name} has no instanceUrl.`);
      return {
        instanceUrl,
        credentials: await toConnectorCredentials(p.connectorType, creds, secrets),
        ...(policy ? { policy } : {}),
      };
    },
    saveRefreshToken: (name: string, refreshToken: string) =>
      db.transaction().execute(async (tx) => {
        const p = await profiles.require(tx, name);
        const key = propertiesKey(p.connectorType);
        const all = (await profiles.credentials(tx, name)) ?? {};
        const mine = { ...(all[key] ?? {}) };
        if (p.connectorType === "Servicenow") {
          mine["oAuth2Credentials"] = { ...((mine["oAuth2Credentials"] as Json) ?? {}), refreshToken };
        } else {
          mine["refreshToken"] = refreshToken;
        }
        await profiles.update(tx, {
          name,
          connectorType: p.connectorType,
          connectionMode: p.connectionMode,
          properties: p.properties,
          credentials: { ...all, [key]: mine },
          connectionStatus: p.connectionStatus,
          connectionMessage: p.connectionMessage,
        });
      }),
  };
}
