import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorRegistry } from "../../src/connectors/registry.ts";
import {
  type ConnectorCredentials,
  FakeTimer,
  HostAllowList,
  vendorPolicy,
} from "../../src/connectors/sdk/index.ts";
import { VendorListener } from "../helpers/vendor-listener.ts";

/** Credentials of a kind each connector accepts (they never leave the process in this test). */
const credentials: Record<string, ConnectorCredentials> = {
  salesforce: { kind: "oauth_refresh", clientId: "id", clientSecret: "client-secret", refreshToken: "rt" },
  servicenow: { kind: "basic", username: "u", password: "stored-password" },
  marketo: { kind: "oauth_client_credentials", clientId: "id", clientSecret: "client-secret" },
  zendesk: { kind: "api_token", email: "a@b.c", token: "stored-token" },
};

describe("every connector carries the profile's vendor policy into its HTTP clients", () => {
  let host: VendorListener;
  beforeAll(async () => {
    host = await new VendorListener().start();
  });
  afterAll(async () => {
    await host.stop();
  });

  for (const [id, spec] of Object.entries(connectorRegistry)) {
    it(`${id}: a host outside vendorHosts fails the connection test and hears nothing`, async () => {
      const connector = spec.open(
        {
          instanceUrl: host.url,
          credentials: credentials[id]!,
          policy: vendorPolicy({ hosts: HostAllowList.parse(["*.example.com"]) }),
        },
        { timer: new FakeTimer() },
      );
      try {
        const result = await connector.testConnection();
        expect(result.status).toBe("Failed");
        expect(result.status === "Failed" && result.reason).toContain("not an allowed vendor host");
        expect(host.arrivals).toEqual([]);
      } finally {
        await connector.close();
      }
    });
  }
});
