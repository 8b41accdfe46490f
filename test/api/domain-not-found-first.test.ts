import {
  CreateIntegrationWorkflowCommand,
  ListIntegrationsCommand,
  ListWorkflowsCommand,
  PutIntegrationCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * A missing domain is RESOURCE_NOT_FOUND before the request's body or page token is validated, as the
 * integration and workflow operations answered before they moved into services (issue 14).
 */
describeEachDialect("integration and workflow operations on a missing domain", (dialect) => {
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

  it("CreateIntegrationWorkflow without IntegrationConfig, ObjectTypeName or RoleArn", async () => {
    await notFound(
      s.profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: "no-such-domain",
          WorkflowType: "APPFLOW_INTEGRATION",
        } as never),
      ),
    );
  });

  it("ListWorkflows with a malformed NextToken", async () => {
    await notFound(
      s.profiles.send(new ListWorkflowsCommand({ DomainName: "no-such-domain", NextToken: "garbage" })),
    );
  });

  it("ListWorkflows with an unknown Status", async () => {
    await notFound(
      s.profiles.send(new ListWorkflowsCommand({ DomainName: "no-such-domain", Status: "BOGUS" as never })),
    );
  });
});
