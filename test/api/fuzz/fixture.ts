import * as AF from "@aws-sdk/client-appflow";
import * as CP from "@aws-sdk/client-customer-profiles";
import type { ServiceNowSandbox } from "../../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import type { Fixtures } from "./catalog.ts";

/**
 * Creates what the fuzzed inputs refer to (a domain with an object type and a profile, a ServiceNow connector
 * profile, a flow), through the real SDK, so that valid members lead deep into the handlers.
 */
export async function createFixtures(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  sandbox: ServiceNowSandbox,
): Promise<Fixtures> {
  const sdk = {
    endpoint: endpoint,
    region: "us-east-1",
    credentials: credentials,
    maxAttempts: 1,
  };
  const profiles = new CP.CustomerProfilesClient(sdk);
  const appflow = new AF.AppflowClient(sdk);
  const fx: Fixtures = {
    domain: "fz",
    objectType: "Signup",
    profileId: "",
    connectorProfile: "fz-sn",
    flow: "fz-flow",
    flowArn: "",
    sandboxUrl: sandbox.url,
  };
  await profiles.send(new CP.CreateDomainCommand({ DomainName: fx.domain, DefaultExpirationDays: 30 }));
  await profiles.send(
    new CP.PutProfileObjectTypeCommand({
      DomainName: fx.domain,
      ObjectTypeName: fx.objectType,
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
    }),
  );
  fx.profileId = (
    await profiles.send(
      new CP.CreateProfileCommand({
        DomainName: fx.domain,
        FirstName: "Ada",
        EmailAddress: "ada@example.com",
      }),
    )
  ).ProfileId!;
  await appflow.send(
    new AF.CreateConnectorProfileCommand({
      connectorProfileName: fx.connectorProfile,
      connectorType: "Servicenow",
      connectionMode: "Public",
      connectorProfileConfig: {
        connectorProfileProperties: { ServiceNow: { instanceUrl: sandbox.url } },
        connectorProfileCredentials: {
          ServiceNow: { username: sandbox.credentials.username, password: sandbox.credentials.password },
        },
      },
    }),
  );
  fx.flowArn = (
    await appflow.send(
      new AF.CreateFlowCommand({
        flowName: fx.flow,
        triggerConfig: { triggerType: "OnDemand" },
        sourceFlowConfig: {
          connectorType: "Servicenow",
          connectorProfileName: fx.connectorProfile,
          sourceConnectorProperties: { ServiceNow: { object: "sys_user" } },
        },
        destinationFlowConfigList: [
          {
            connectorType: "CustomerProfiles",
            destinationConnectorProperties: {
              CustomerProfiles: { domainName: fx.domain, objectTypeName: "Servicenow-sys_user" },
            },
          },
        ],
        tasks: [{ taskType: "Map_all", sourceFields: [], taskProperties: {} }],
      }),
    )
  ).flowArn!;
  profiles.destroy();
  appflow.destroy();
  return fx;
}
