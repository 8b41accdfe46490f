import type { VendorPolicy } from "../connectors/sdk/index.ts";
import { isProfileflowError } from "../core/errors.ts";
import type { ConnectionTester } from "../services/connector-profile-service.ts";
import { connectorFor } from "./connector-catalog.ts";
import { type SecretValues, toConnectorCredentials } from "./connector-credentials.ts";

/**
 * Tests a connection with the connector's own `testConnection`: "Connected" or the precise reason. The
 * policy (allowed hosts, body caps) binds every request of the test, the token request's included.
 */
export function connectionTester(secrets: SecretValues, policy?: VendorPolicy): ConnectionTester {
  return async ({ connectorType, properties, credentials }) => {
    const spec = connectorFor(connectorType);
    if (!spec)
      return { status: "Untested", message: `no ${connectorType} connector is built into this server yet` };
    let creds: Awaited<ReturnType<typeof toConnectorCredentials>>;
    try {
      creds = await toConnectorCredentials(connectorType, credentials, secrets);
    } catch (e) {
      if (isProfileflowError(e)) return { status: "Failed", message: e.message };
      throw e;
    }
    const connector = spec.open({
      instanceUrl: String(properties["instanceUrl"]),
      credentials: creds,
      ...(policy ? { policy } : {}),
    });
    try {
      const result = await connector.testConnection();
      return result.status === "Connected"
        ? { status: "Connected" }
        : { status: "Failed", message: result.reason };
    } finally {
      await connector.close();
    }
  };
}
