import {
  AccessDeniedException,
  CreateConnectorProfileCommand,
  UpdateConnectorProfileCommand,
  ValidationException,
} from "@aws-sdk/client-appflow";
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Sandboxes, startSandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { failure } from "../helpers/failure.ts";
import { sdkClients } from "../helpers/sdk-clients.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

describeEachDialect("connector credentials sealed under the profile's kmsArn", (dialect) => {
  let sb: Sandboxes;
  let t: TestServer;
  let kms: KMSClient;
  const clients = sdkClients(() => t.endpoint);
  beforeAll(async () => {
    sb = await startSandboxes({ seed: 7, people: 5 });
    t = await startTestServer(dialect);
    kms = clients.client(KMSClient, t.credentials);
  });
  afterAll(async () => {
    clients.destroyAll();
    await t?.close();
    await sb?.close();
  });

  const servicenow = () => {
    const c = (sb.credentials as Record<string, Record<string, string>>)["servicenow"]!;
    return {
      properties: { ServiceNow: { instanceUrl: sb.servers["servicenow"]!.url } },
      credentials: { ServiceNow: { username: c["username"]!, password: c["password"]! } },
    };
  };
  const create = (name: string, kmsArn: string) =>
    t.appflow.send(
      new CreateConnectorProfileCommand({
        connectorProfileName: name,
        connectorType: "Servicenow",
        connectionMode: "Public",
        kmsArn,
        connectorProfileConfig: {
          connectorProfileProperties: servicenow().properties,
          connectorProfileCredentials: servicenow().credentials,
        },
      }),
    );
  // Without new credentials, UpdateConnectorProfile tests the connection with the stored ones.
  const retest = (name: string) =>
    t.appflow.send(
      new UpdateConnectorProfileCommand({
        connectorProfileName: name,
        connectionMode: "Public",
        connectorProfileConfig: { connectorProfileProperties: servicenow().properties },
      }),
    );

  it("a kmsArn must be an enabled key of this server", async () => {
    const e = await failure(create("sn-unknown", "arn:aws:kms:us-east-1:000000000000:key/none"));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toContain("kmsArn");
  });

  it("stored under the key (never in plain text); a disabled key makes them unreadable until enabled", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await create("sn-keyed", key);
    const row = await t.server.database.db
      .selectFrom("connector_profiles")
      .select("credentials_sealed")
      .where("name", "=", "sn-keyed")
      .executeTakeFirstOrThrow();
    expect(row.credentials_sealed!.startsWith("kms1.")).toBe(true);
    expect(Buffer.from(row.credentials_sealed!).toString()).not.toContain(
      servicenow().credentials.ServiceNow.password,
    );
    await retest("sn-keyed");
    await kms.send(new DisableKeyCommand({ KeyId: key }));
    const e = await failure(retest("sn-keyed"));
    expect(e).toBeInstanceOf(AccessDeniedException);
    expect(e.message).toContain("disabled");
    await kms.send(new EnableKeyCommand({ KeyId: key }));
    await retest("sn-keyed");
  });
});
