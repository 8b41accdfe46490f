/** The four sources of the seed's Select source page, with what AppFlow models for each. */
export type SourceId = "salesforce" | "zendesk" | "servicenow" | "marketo";

/** One credential the vendor needs, as AppFlow's connectorProfileCredentials names it. */
export interface CredentialField {
  /** The member of connectorProfileCredentials.<key> (or a console-only member for Salesforce's secret). */
  member: string;
  label: string;
  description?: string;
  secret?: boolean;
  optional?: boolean;
}

export interface Source {
  id: SourceId;
  /** The seed's name. */
  label: string;
  /** AppFlow's connectorType. */
  type: "Salesforce" | "Zendesk" | "Servicenow" | "Marketo";
  /** The key of connectorProfileProperties / connectorProfileCredentials / SourceConnectorProperties. */
  key: "Salesforce" | "Zendesk" | "ServiceNow" | "Marketo";
  /** The incremental pull's datetime field. */
  cursor: string;
  /** More than 60 days back turns on bulk ingestion (the seed: Salesforce, Marketo and ServiceNow). */
  bulk: boolean;
  instanceUrlHint: string;
  requirements: string[];
  credentials: CredentialField[];
}

/** Salesforce's connected app id and secret: kept in a Secrets Manager secret (clientCredentialsArn). */
export const SALESFORCE_CLIENT_ID = "connectedAppClientId";
export const SALESFORCE_CLIENT_SECRET = "connectedAppClientSecret";

export const SOURCES: readonly Source[] = [
  {
    id: "salesforce",
    label: "Salesforce",
    type: "Salesforce",
    key: "Salesforce",
    cursor: "SystemModstamp",
    bulk: true,
    instanceUrlHint: "https://example.my.salesforce.com",
    requirements: [
      "A Salesforce edition with API access (Enterprise, Unlimited, Developer or Performance).",
      "A connected app with OAuth enabled: its consumer key and secret are kept in an AWS Secrets Manager secret.",
      "An access token and a refresh token of a user who can read Account, Contact, Asset and Case, including SystemModstamp.",
      "Change Data Capture is not needed: records are read incrementally by SystemModstamp.",
    ],
    credentials: [
      { member: "accessToken", label: "Access token", secret: true },
      { member: "refreshToken", label: "Refresh token", secret: true },
      {
        member: SALESFORCE_CLIENT_ID,
        label: "Connected app client ID",
        description: "Kept with the client secret in a Secrets Manager secret (clientCredentialsArn).",
        optional: true,
      },
      {
        member: SALESFORCE_CLIENT_SECRET,
        label: "Connected app client secret",
        secret: true,
        optional: true,
      },
    ],
  },
  {
    id: "zendesk",
    label: "Zendesk",
    type: "Zendesk",
    key: "Zendesk",
    cursor: "updated_at",
    bulk: false,
    instanceUrlHint: "https://example.zendesk.com",
    requirements: [
      "A Zendesk Support account whose API is enabled.",
      "An OAuth client registered in Zendesk (client ID and client secret).",
      "An OAuth access token with read scope for users and tickets.",
    ],
    credentials: [
      { member: "clientId", label: "Client ID" },
      { member: "clientSecret", label: "Client secret", secret: true },
      { member: "accessToken", label: "Access token", secret: true },
    ],
  },
  {
    id: "servicenow",
    label: "ServiceNow",
    type: "Servicenow",
    key: "ServiceNow",
    cursor: "sys_updated_on",
    bulk: true,
    instanceUrlHint: "https://example.service-now.com",
    requirements: [
      "A ServiceNow instance reachable over HTTPS.",
      "A user with the rest_service role and read access to the sys_user, task and incident tables.",
      "Basic authentication: the user's name and password.",
    ],
    credentials: [
      { member: "username", label: "User name" },
      { member: "password", label: "Password", secret: true },
    ],
  },
  {
    id: "marketo",
    label: "Marketo",
    type: "Marketo",
    key: "Marketo",
    cursor: "updatedAt",
    bulk: true,
    instanceUrlHint: "https://123-ABC-456.mktorest.com",
    requirements: [
      "The REST API endpoint of your Marketo instance.",
      "A LaunchPoint custom service (client ID and client secret) of an API-only user.",
      "The user's role may read leads (Read-Only Lead or Read-Write Lead).",
    ],
    credentials: [
      { member: "clientId", label: "Client ID" },
      { member: "clientSecret", label: "Client secret", secret: true },
    ],
  },
];

export function sourceById(id: SourceId | undefined): Source | undefined {
  return SOURCES.find((s) => s.id === id);
}

/** The seed: more than two months (60 days) back turns on bulk ingestion. */
export const BULK_THRESHOLD_DAYS = 60;
export const DAY_MS = 86_400_000;
