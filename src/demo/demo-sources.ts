import type { ConnectorProfileConfig } from "@aws-sdk/client-appflow";
import type { SourceConnectorType } from "@aws-sdk/client-customer-profiles";

/** One source of the demo: which sandbox, which object, which template, how it is ingested. */
export interface DemoSource {
  /** The sandbox vendor key (`startSandboxes().credentials[vendor]`). */
  vendor: "salesforce" | "servicenow" | "marketo" | "zendesk";
  connectorType: SourceConnectorType;
  /** The AppFlow properties key (ServiceNow is cased differently from its connector type). */
  propertiesKey: "Salesforce" | "ServiceNow" | "Marketo" | "Zendesk";
  object: string;
  /** The built-in object type template the integration maps through. */
  objectTypeName: string;
  cursorField: string;
  /** Bulk workflow (history in batches, then continuous) or one incremental flow from the start date. */
  via: "workflow" | "incremental";
  connectorProfileName: string;
  flowName: string;
}

/** The four person objects the demo integrates, one per vendor. */
export const DEMO_SOURCES: readonly DemoSource[] = [
  {
    vendor: "salesforce",
    connectorType: "Salesforce",
    propertiesKey: "Salesforce",
    object: "Contact",
    objectTypeName: "Salesforce-Contact",
    cursorField: "SystemModstamp",
    via: "workflow",
    connectorProfileName: "demo-salesforce",
    flowName: "demo-salesforce-contacts",
  },
  {
    vendor: "servicenow",
    connectorType: "Servicenow",
    propertiesKey: "ServiceNow",
    object: "sys_user",
    objectTypeName: "Servicenow-sys_user",
    cursorField: "sys_updated_on",
    via: "workflow",
    connectorProfileName: "demo-servicenow",
    flowName: "demo-servicenow-users",
  },
  {
    vendor: "marketo",
    connectorType: "Marketo",
    propertiesKey: "Marketo",
    object: "leads",
    objectTypeName: "Marketo-leads",
    cursorField: "updatedAt",
    via: "workflow",
    connectorProfileName: "demo-marketo",
    flowName: "demo-marketo-leads",
  },
  {
    vendor: "zendesk",
    connectorType: "Zendesk",
    propertiesKey: "Zendesk",
    object: "users",
    objectTypeName: "Zendesk-users",
    cursorField: "updated_at",
    via: "incremental",
    connectorProfileName: "demo-zendesk",
    flowName: "demo-zendesk-users",
  },
];

/** The demo's Salesforce connected-app secret name in Secrets Manager. */
export const SALESFORCE_SECRET_NAME = "demo/salesforce-connected-app";

/**
 * The connector profile config for one sandbox, in the members AppFlow models: Salesforce by refresh
 * token with the connected app's id and secret in Secrets Manager, ServiceNow by basic auth, Marketo by
 * client credentials, Zendesk by an OAuth access token.
 */
export function connectorProfileConfig(
  source: DemoSource,
  credentials: Record<string, string>,
  salesforceSecretArn: string | undefined,
): ConnectorProfileConfig {
  const c = (name: string): string => {
    const v = credentials[name];
    if (!v) throw new Error(`the ${source.vendor} sandbox gave no ${name}`);
    return v;
  };
  const properties = { [source.propertiesKey]: { instanceUrl: c("instanceUrl") } };
  switch (source.vendor) {
    case "salesforce":
      return {
        connectorProfileProperties: properties,
        connectorProfileCredentials: {
          Salesforce: {
            refreshToken: c("refreshToken"),
            accessToken: c("accessToken"),
            ...(salesforceSecretArn ? { clientCredentialsArn: salesforceSecretArn } : {}),
          },
        },
      };
    case "servicenow":
      return {
        connectorProfileProperties: properties,
        connectorProfileCredentials: { ServiceNow: { username: c("username"), password: c("password") } },
      };
    case "marketo":
      return {
        connectorProfileProperties: properties,
        connectorProfileCredentials: {
          Marketo: { clientId: c("clientId"), clientSecret: c("clientSecret") },
        },
      };
    case "zendesk":
      return {
        connectorProfileProperties: properties,
        connectorProfileCredentials: {
          Zendesk: {
            clientId: c("clientId"),
            clientSecret: c("clientSecret"),
            accessToken: c("accessToken"),
          },
        },
      };
  }
}
