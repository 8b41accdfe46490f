import * as AF from "@aws-sdk/client-appflow";
import * as CP from "@aws-sdk/client-customer-profiles";
import type { ServiceNowSandbox } from "../../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import {
  serviceNowConnectorProfile,
  serviceNowUsersFlow,
  signupObjectType,
} from "../../helpers/servicenow-resources.ts";
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
    new CP.PutProfileObjectTypeCommand({ ...signupObjectType(fx.domain), ObjectTypeName: fx.objectType }),
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
    new AF.CreateConnectorProfileCommand(serviceNowConnectorProfile(fx.connectorProfile, sandbox)),
  );
  fx.flowArn = (
    await appflow.send(
      new AF.CreateFlowCommand(
        serviceNowUsersFlow(fx.flow, fx.connectorProfile, {
          domainName: fx.domain,
          objectTypeName: "Servicenow-sys_user",
        }),
      ),
    )
  ).flowArn!;
  profiles.destroy();
  appflow.destroy();
  return fx;
}
