import { ListIntegrationsCommand, PutIntegrationCommand } from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * A missing domain is RESOURCE_NOT_FOUND before the request's body or page token is validated, as the
 * integration operations answered before they moved into services (issue 14).
 */
describeEachDialect("integration operations on a missing domain", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => s?.close());

  const notFound = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x as { name?: string; message?: string },
    );
    expect(e?.name, e?.message).toBe("ResourceNotFoundException");
  };

  it("PutIntegration without ObjectTypeName or Uri", async () => {
    await notFound(s.profiles.send(new PutIntegrationCommand({ DomainName: "no-such-domain" })));
  });

  it("ListIntegrations with a malformed NextToken", async () => {
    await notFound(
      s.profiles.send(new ListIntegrationsCommand({ DomainName: "no-such-domain", NextToken: "garbage" })),
    );
  });
});
