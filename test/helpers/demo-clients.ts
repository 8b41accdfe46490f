import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DemoClients } from "../../src/demo/demo-setup.ts";
import type { TestServer } from "./test-server.ts";

/**
 * The clients `setUpDemo` calls, against a test server: its own Customer Profiles and AppFlow clients, and a
 * new Secrets Manager and IAM client signing as its root (closeDemoClients destroys those two).
 */
export function demoClients(
  t: Pick<TestServer, "profiles" | "appflow" | "endpoint" | "credentials">,
): DemoClients {
  const opts = { endpoint: t.endpoint, region: "us-east-1", credentials: t.credentials };
  return {
    profiles: t.profiles,
    appflow: t.appflow,
    secrets: new SecretsManagerClient(opts),
    iam: new IAMClient(opts),
  };
}

/** Destroys the clients demoClients made (the test server closes its own). */
export function closeDemoClients(clients: DemoClients | undefined): void {
  clients?.secrets.destroy();
  clients?.iam.destroy();
}
