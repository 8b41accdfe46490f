import { Writable } from "node:stream";
import {
  ConnectorAuthenticationException,
  CreateConnectorProfileCommand,
  type CreateConnectorProfileCommandInput,
  DescribeConnectorProfilesCommand,
  UpdateConnectorProfileCommand,
  ValidationException,
} from "@aws-sdk/client-appflow";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/logger.ts";
import { type Sandboxes, startSandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { failure } from "../helpers/failure.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { hugeBody, VendorListener } from "../helpers/vendor-listener.ts";

type Config = CreateConnectorProfileCommandInput["connectorProfileConfig"];
type SourceType = "Salesforce" | "Servicenow" | "Marketo" | "Zendesk";

/** The properties key of each type, and its profile on the sandboxes (what is stored). */
const keyOf: Record<SourceType, string> = {
  Salesforce: "Salesforce",
  Servicenow: "ServiceNow",
  Marketo: "Marketo",
  Zendesk: "Zendesk",
};

async function sandboxProfiles(sb: Sandboxes, t: TestServer): Promise<Record<SourceType, Config>> {
  const c = sb.credentials as Record<string, Record<string, string>>;
  const sf = c["salesforce"]!;
  const secrets = new SecretsManagerClient({
    endpoint: t.endpoint,
    region: "us-east-1",
    credentials: t.credentials,
    maxAttempts: 1,
  });
  const { ARN } = await secrets.send(
    new CreateSecretCommand({
      Name: "sf-connected-app",
      SecretString: JSON.stringify({ clientId: sf["clientId"], clientSecret: sf["clientSecret"] }),
    }),
  );
  secrets.destroy();
  return {
    Salesforce: {
      connectorProfileProperties: { Salesforce: { instanceUrl: sb.servers["salesforce"]!.url } },
      connectorProfileCredentials: {
        Salesforce: { refreshToken: sf["refreshToken"], clientCredentialsArn: ARN },
      },
    },
    Servicenow: {
      connectorProfileProperties: { ServiceNow: { instanceUrl: sb.servers["servicenow"]!.url } },
      connectorProfileCredentials: {
        ServiceNow: { username: c["servicenow"]!["username"], password: c["servicenow"]!["password"] },
      },
    },
    Marketo: {
      connectorProfileProperties: { Marketo: { instanceUrl: sb.servers["marketo"]!.url } },
      connectorProfileCredentials: {
        Marketo: { clientId: c["marketo"]!["clientId"]!, clientSecret: c["marketo"]!["clientSecret"]! },
      },
    },
    Zendesk: {
      connectorProfileProperties: { Zendesk: { instanceUrl: sb.servers["zendesk"]!.url } },
      connectorProfileCredentials: {
        Zendesk: {
          clientId: c["zendesk"]!["clientId"]!,
          clientSecret: c["zendesk"]!["clientSecret"]!,
          accessToken: c["zendesk"]!["accessToken"],
        },
      },
    },
  };
}

const types = Object.keys(keyOf) as SourceType[];

describeEachDialect("stored vendor credentials stay bound to their host", (dialect) => {
  let sb: Sandboxes;
  let t: TestServer;
  let elsewhere: VendorListener;
  let configs: Record<SourceType, Config>;
  beforeAll(async () => {
    sb = await startSandboxes({ seed: 13, people: 10 });
    t = await startTestServer(dialect);
    elsewhere = await new VendorListener().start();
    configs = await sandboxProfiles(sb, t);
    for (const type of types) {
      await t.appflow.send(
        new CreateConnectorProfileCommand({
          connectorProfileName: `p-${type}`,
          connectorType: type,
          connectionMode: "Public",
          connectorProfileConfig: configs[type],
        }),
      );
    }
  });
  afterAll(async () => {
    await t?.close();
    await sb?.close();
    await elsewhere?.stop();
  });
  afterEach(() => {
    elsewhere.arrivals.length = 0;
  });

  it("an update that moves instanceUrl without credentials is refused, and the new host hears nothing", async () => {
    for (const type of types) {
      const e = await failure(
        t.appflow.send(
          new UpdateConnectorProfileCommand({
            connectorProfileName: `p-${type}`,
            connectionMode: "Public",
            connectorProfileConfig: {
              connectorProfileProperties: { [keyOf[type]]: { instanceUrl: elsewhere.url } },
            },
          }),
        ),
      );
      expect(e).toBeInstanceOf(ValidationException);
      expect(e.message).toContain(`connectorProfileConfig.connectorProfileCredentials.${keyOf[type]}`);
    }
    expect(elsewhere.arrivals).toEqual([]);
    // Nothing changed: the stored profiles still name their sandboxes.
    const d = await t.appflow.send(new DescribeConnectorProfilesCommand({}));
    for (const p of d.connectorProfileDetails ?? []) {
      const props = p.connectorProfileProperties as Record<string, { instanceUrl?: string }>;
      const type = p.connectorType as SourceType;
      expect(props[keyOf[type]]?.instanceUrl).toBe(sb.servers[type.toLowerCase()]!.url);
    }
  });

  it("a new host gets only the credentials given with it, never the stored ones", async () => {
    const e = await failure(
      t.appflow.send(
        new UpdateConnectorProfileCommand({
          connectorProfileName: "p-Servicenow",
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { ServiceNow: { instanceUrl: elsewhere.url } },
            connectorProfileCredentials: { ServiceNow: { username: "someone", password: "given-now" } },
          },
        }),
      ),
    );
    expect(e).toBeInstanceOf(ConnectorAuthenticationException); // the listener answers 401
    expect(elsewhere.arrivals.length).toBeGreaterThan(0); // it was contacted: the refusal above is not vacuous
    const expected = `Basic ${Buffer.from("someone:given-now").toString("base64")}`;
    for (const a of elsewhere.arrivals) expect(a.authorization).toBe(expected);
  });

  it("the same host (another path) keeps the stored credentials", async () => {
    const url = `${sb.servers["servicenow"]!.url}/`;
    await t.appflow.send(
      new UpdateConnectorProfileCommand({
        connectorProfileName: "p-Servicenow",
        connectionMode: "Public",
        connectorProfileConfig: { connectorProfileProperties: { ServiceNow: { instanceUrl: url } } },
      }),
    );
    const d = await t.appflow.send(
      new DescribeConnectorProfilesCommand({ connectorProfileNames: ["p-Servicenow"] }),
    );
    expect(d.connectorProfileDetails?.[0]?.connectorProfileProperties?.ServiceNow?.instanceUrl).toBe(url);
  });
});

describe("vendor hosts and vendor answers at the edge", () => {
  let sb: Sandboxes;
  let t: TestServer;
  let elsewhere: VendorListener;
  let snUrl: string;
  beforeAll(async () => {
    sb = await startSandboxes({ seed: 14, people: 5, vendors: ["servicenow"] });
    snUrl = sb.servers["servicenow"]!.url;
    elsewhere = await new VendorListener().start();
    t = await startTestServer("sqlite", {
      config: { vendorHosts: [`127.0.0.1:${new URL(snUrl).port}`, "*.service-now.com"] },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sb?.close();
    await elsewhere?.stop();
  });
  afterEach(() => {
    elsewhere.arrivals.length = 0;
    elsewhere.bytesWritten = 0;
  });
  const c = () => sb.credentials["servicenow"]!;
  const create = (name: string, instanceUrl: string) =>
    t.appflow.send(
      new CreateConnectorProfileCommand({
        connectorProfileName: name,
        connectorType: "Servicenow",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { ServiceNow: { instanceUrl } },
          connectorProfileCredentials: {
            ServiceNow: { username: c()["username"], password: c()["password"] },
          },
        },
      }),
    );

  it("vendorHosts refuses a profile on another host before contacting it, and allows the listed one", async () => {
    const e = await failure(create("outside", elsewhere.url));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toContain("connectorProfileConfig.connectorProfileProperties.ServiceNow.instanceUrl");
    expect(elsewhere.arrivals).toEqual([]);
    await create("inside", snUrl);
  });

  it("a stored profile on a host vendorHosts no longer allows is refused at connect time", async () => {
    // As if stored before the setting changed: straight into the store, past the API's check.
    await t.server.flows.connectorProfiles.create(t.server.database.db, {
      name: "stored-before",
      connectorType: "Servicenow",
      connectionMode: "Public",
      properties: { ServiceNow: { instanceUrl: elsewhere.url } },
      credentials: { ServiceNow: { username: "u", password: "stored-secret" } },
      connectionStatus: "Connected",
    });
    const res = await signedFetch(t.endpoint, {
      method: "POST",
      path: "/test-connector-profile",
      service: "appflow",
      body: JSON.stringify({ connectorProfileName: "stored-before" }),
      credentials: t.credentials,
    });
    const body = (await res.json()) as { connectionStatus: string; message?: string };
    expect(body.connectionStatus).toBe("Failed");
    expect(body.message).toContain("not an allowed vendor host");
    expect(elsewhere.arrivals).toEqual([]);
  });
});

describe("what a vendor's answer can do to our errors and memory", () => {
  let t: TestServer;
  let vendor: VendorListener;
  const logLines: string[] = [];
  beforeAll(async () => {
    vendor = await new VendorListener().start();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString("utf8"));
        done();
      },
    });
    t = await startTestServer("sqlite", { logger: createLogger("debug", sink) });
  });
  afterAll(async () => {
    await t?.close();
    await vendor?.stop();
  });
  afterEach(() => {
    vendor.bytesWritten = 0;
  });
  let n = 0;
  const create = () =>
    t.appflow.send(
      new CreateConnectorProfileCommand({
        connectorProfileName: `v${++n}`,
        connectorType: "Servicenow",
        connectionMode: "Public",
        connectorProfileConfig: {
          connectorProfileProperties: { ServiceNow: { instanceUrl: vendor.url } },
          connectorProfileCredentials: { ServiceNow: { username: "u", password: "p" } },
        },
      }),
    );

  it("quotes no vendor page: an internal page's text never reaches the caller", async () => {
    vendor.answer = (_q, res) => {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<html><body><h1>Intranet</h1><p>INTERNAL-PAYROLL-2026 salary table</p></body></html>");
    };
    const e = await failure(create());
    expect(e.message).not.toContain("INTERNAL-PAYROLL");
    expect(e.message).not.toContain("<");
    expect(e.message).toContain("HTTP 403");
    // The operator still sees the page, in the debug log.
    const refused = logLines
      .join("")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = refused.find((l) => l["msg"] === "vendor refused a request" && l["status"] === 403);
    expect(line?.["body"]).toContain("INTERNAL-PAYROLL-2026");
  });

  it("keeps the vendor's error code and a short sanitized message from a JSON error", async () => {
    const long = `Access denied \u0007\u001b[31m<script>x</script> ${"x".repeat(5000)}`;
    vendor.answer = (_q, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "ACL_DENIED", message: long }, status: "failure" }));
    };
    const e = await failure(create());
    expect(e.message).toContain("ACL_DENIED");
    expect(e.message).toContain("Access denied");
    expect(e.message).not.toMatch(/[\u0000-\u001f<>]/);
    expect(e.message.length).toBeLessThan(400);
  });

  it("reads at most 64 KiB of a 256 MiB error page", async () => {
    const total = 256 * 1024 * 1024;
    vendor.answer = hugeBody(403, total, "text/html", "<p>internal error page</p>", true);
    const e = await failure(create());
    expect(e.message).toContain("HTTP 403");
    // The client stops reading at the cap and closes the socket: what the listener could write is
    // that plus the sockets' buffers, nowhere near the page.
    expect(vendor.bytesWritten).toBeLessThan(16 * 1024 * 1024);
    expect(vendor.bytesWritten).toBeGreaterThan(0);
  });
});
