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
  /**
   * `person`: each record is a person (one profile per person; scored against the sandboxes' truth).
   * `related`: a record attached to a person's (or, for Account, a company's) profile by its keys.
   */
  kind: "person" | "related";
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
    kind: "person",
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
    kind: "person",
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
    kind: "person",
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
    kind: "person",
  },
];

/** A related object of `person`'s vendor, read through the same connector profile by a flow of its own. */
function related(
  person: DemoSource,
  object: string,
  objectTypeName: string,
  cursorField: string,
  flowName: string,
): DemoSource {
  return { ...person, object, objectTypeName, cursorField, flowName, kind: "related" };
}

const [salesforce, servicenow, , zendesk] = DEMO_SOURCES as [DemoSource, DemoSource, DemoSource, DemoSource];

/**
 * The other objects the shipped templates cover. The cursor is the field each connector reads windows
 * by (src/connectors/<vendor>/spec.ts; Zendesk's tickets export moves by `generated_timestamp`). Assets,
 * tasks, incidents and tickets attach to their person's profile (ContactId, opened_by / caller_id,
 * requester_id); an Account is its company's own profile.
 */
export const DEMO_RELATED_OBJECTS: readonly DemoSource[] = [
  related(salesforce, "Account", "Salesforce-Account", "SystemModstamp", "demo-salesforce-accounts"),
  related(salesforce, "Asset", "Salesforce-Asset", "SystemModstamp", "demo-salesforce-assets"),
  related(servicenow, "task", "Servicenow-task", "sys_updated_on", "demo-servicenow-tasks"),
  related(servicenow, "incident", "Servicenow-incident", "sys_updated_on", "demo-servicenow-incidents"),
  related(zendesk, "tickets", "Zendesk-tickets", "generated_timestamp", "demo-zendesk-tickets"),
];

const VENDOR_ORDER = DEMO_SOURCES.map((s) => s.vendor);

/** Every object the demo integrates (the nine templates), grouped by vendor, the person object first. */
export const DEMO_OBJECTS: readonly DemoSource[] = [...DEMO_SOURCES, ...DEMO_RELATED_OBJECTS].sort(
  (a, b) =>
    VENDOR_ORDER.indexOf(a.vendor) - VENDOR_ORDER.indexOf(b.vendor) ||
    (a.kind === b.kind ? 0 : a.kind === "person" ? -1 : 1),
);

/** `salesforce (Contact, Account, Asset), marketo (leads)`: objects grouped by vendor, in their order. */
export function objectsByVendor(sources: readonly Pick<DemoSource, "vendor" | "object">[]): string {
  const groups = new Map<string, string[]>();
  for (const s of sources) groups.set(s.vendor, [...(groups.get(s.vendor) ?? []), s.object]);
  return [...groups].map(([vendor, objects]) => `${vendor} (${objects.join(", ")})`).join(", ");
}

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
