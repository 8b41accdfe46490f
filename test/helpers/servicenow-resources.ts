import type * as AF from "@aws-sdk/client-appflow";
import type * as CP from "@aws-sdk/client-customer-profiles";
import type { ServiceNowSandbox } from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";

/**
 * Inputs the API tests create again and again: a ServiceNow connector profile for a sandbox, an OnDemand
 * `sys_user` flow into a domain, and the `Signup` object type (an id key and an email profile key).
 */

/** The `connectorProfileConfig` of a ServiceNow connector profile that reaches `sandbox` with its credentials. */
export function serviceNowProfileConfig(
  sandbox: Pick<ServiceNowSandbox, "url" | "credentials">,
): AF.ConnectorProfileConfig {
  return {
    connectorProfileProperties: { ServiceNow: { instanceUrl: sandbox.url } },
    connectorProfileCredentials: {
      ServiceNow: { username: sandbox.credentials.username, password: sandbox.credentials.password },
    },
  };
}

/** CreateConnectorProfile of a public ServiceNow connector profile named `name` for `sandbox`. */
export function serviceNowConnectorProfile(
  name: string,
  sandbox: Pick<ServiceNowSandbox, "url" | "credentials">,
): AF.CreateConnectorProfileCommandInput {
  return {
    connectorProfileName: name,
    connectorType: "Servicenow",
    connectionMode: "Public",
    connectorProfileConfig: serviceNowProfileConfig(sandbox),
  };
}

/** CreateFlow of an OnDemand flow that maps all of ServiceNow `sys_user` into `domainName`'s `objectTypeName`. */
export function serviceNowUsersFlow(
  flowName: string,
  connectorProfileName: string,
  to: { domainName: string; objectTypeName: string },
): AF.CreateFlowCommandInput {
  return {
    flowName,
    triggerConfig: { triggerType: "OnDemand" },
    sourceFlowConfig: {
      connectorType: "Servicenow",
      connectorProfileName,
      sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
    },
    destinationFlowConfigList: [
      { connectorType: "CustomerProfiles", destinationConnectorProperties: { CustomerProfiles: to } },
    ],
    tasks: [{ taskType: "Map_all", sourceFields: [], taskProperties: {} }],
  };
}

/** The ids of the live (not deleted) `sys_user` records of `sandbox`'s ground truth. */
export async function liveServiceNowUsers(sandbox: Pick<ServiceNowSandbox, "url">): Promise<Set<string>> {
  const out = new Set<string>();
  for (let offset: number | null = 0; offset !== null; ) {
    const page = (await (
      await fetch(`${sandbox.url}/__sandbox/truth/sys_user?offset=${offset}&limit=10000`)
    ).json()) as {
      records: { id: string; deleted: boolean }[];
      nextOffset: number | null;
    };
    for (const r of page.records) if (!r.deleted) out.add(r.id);
    offset = page.nextOffset;
  }
  return out;
}

/** PutProfileObjectType of `Signup`: `_signupId` (UNIQUE, from id) and `_email` (PROFILE, the email address). */
export function signupObjectType(domainName: string): CP.PutProfileObjectTypeCommandInput {
  return {
    DomainName: domainName,
    ObjectTypeName: "Signup",
    Description: "signups",
    AllowProfileCreation: true,
    Fields: {
      id: { Source: "_source.id", Target: "_profile.Attributes.signupId" },
      email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
    },
    Keys: {
      _signupId: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
      _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    },
  };
}
