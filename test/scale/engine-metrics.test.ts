import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AppflowClient,
  CreateConnectorProfileCommand,
  DescribeFlowExecutionRecordsCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CustomerProfilesClient,
  GetDomainCommand,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { composeServer, type Server } from "../../src/main.ts";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { createPostgresDatabase, describeEachDialect } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/** The `profileflow_*` samples of one scrape, by `name{labels}`. */
async function scrape(endpoint: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^(profileflow_[a-z_]+(?:\{[^}]*\})?) (\S+)$/);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

const FIELDS = ["sys_id", "first_name", "last_name", "email", "sys_updated_on"];

describeEachDialect("engine and queue gauges on /metrics", (dialect) => {
  let sb: ServiceNowSandbox;
  let server: Server;
  let endpoint: string;
  let dataDir: string;
  let dropPg: (() => Promise<void>) | undefined;
  let profiles: CustomerProfilesClient;
  let appflow: AppflowClient;

  beforeAll(async () => {
    sb = await startServiceNowSandbox({ seed: 5, people: 300 });
    dataDir = mkdtempSync(join(tmpdir(), "pf-metrics-"));
    const pg = dialect === "postgres" ? await createPostgresDatabase() : undefined;
    dropPg = pg?.drop;
    const credentials = { accessKeyId: "AKIDENGINEMETRICS01", secretAccessKey: "enginemetricssecret" };
    const config = loadConfig({
      flags: { port: 0, dataDir, databaseUrl: pg?.url, logLevel: "silent", ...credentials },
    });
    // No workers yet: the test first watches work queue up, then starts them.
    server = await composeServer(config, { logger: createLogger("silent") });
    endpoint = await server.app.listen({ port: 0, host: "127.0.0.1" });
    const cfg = { endpoint, region: config.region, credentials, maxAttempts: 1 };
    profiles = new CustomerProfilesClient(cfg);
    appflow = new AppflowClient(cfg);
  });
  afterAll(async () => {
    profiles?.destroy();
    appflow?.destroy();
    await server?.close();
    await dropPg?.();
    await sb?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** An on-demand integration of ServiceNow users into `type` (PutIntegration starts it at once). */
  const integrate = async (flowName: string, type: string) =>
    profiles.send(
      new PutIntegrationCommand({
        DomainName: "m",
        ObjectTypeName: type,
        FlowDefinition: {
          FlowName: flowName,
          KmsArn: (await profiles.send(new GetDomainCommand({ DomainName: "m" }))).DefaultEncryptionKey!,
          SourceFlowConfig: {
            ConnectorType: "Servicenow",
            ConnectorProfileName: "sn",
            SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
          },
          Tasks: [
            { TaskType: "Filter", SourceFields: FIELDS, ConnectorOperator: { ServiceNow: "PROJECTION" } },
          ],
          TriggerConfig: { TriggerType: "OnDemand" },
        },
      }),
    );

  const lastRun = async (flowName: string) =>
    (await appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName }))).flowExecutions?.[0];

  it("executions, queue, workers, records, put failures and last success move with the work", async () => {
    const empty = await scrape(endpoint);
    expect(empty['profileflow_executions_in_progress{state="running"}']).toBe(0);
    expect(empty['profileflow_executions_in_progress{state="waiting"}']).toBe(0);
    expect(empty['profileflow_queue_jobs{state="due"}']).toBe(0);
    expect(Object.keys(empty).some((k) => k.startsWith("profileflow_records_ingested_total{"))).toBe(false);
    if (dialect === "postgres") expect(empty["profileflow_workers_live"]).toBe(0);
    else expect(empty["profileflow_workers_live"]).toBeUndefined();

    await appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
    await profiles.send(new CreateDomainCommand({ DomainName: "m", DefaultExpirationDays: 30 }));
    // A type whose only key matches nothing and that may not create profiles: every record is a put failure.
    await profiles.send(
      new PutProfileObjectTypeCommand({
        DomainName: "m",
        ObjectTypeName: "no-profiles",
        Description: "never creates a profile",
        AllowProfileCreation: false,
        Fields: { id: { Source: "_source.sys_id", Target: "_profile.Attributes.snId" } },
        Keys: { _noProfileId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["id"] }] },
      }),
    );
    const started = Date.now();
    await integrate("users", "Servicenow-sys_user");
    await integrate("users-failing", "no-profiles");

    // Nobody runs them yet: two executions wait, their jobs are due.
    const queued = await scrape(endpoint);
    expect(queued['profileflow_executions_in_progress{state="waiting"}']).toBe(2);
    expect(queued['profileflow_executions_in_progress{state="running"}']).toBe(0);
    expect(queued['profileflow_queue_jobs{state="due"}']).toBeGreaterThanOrEqual(2);

    await server.startWorkers();
    await waitFor(
      async () =>
        (await lastRun("users"))?.executionStatus === "Successful" &&
        (await lastRun("users-failing"))?.executionStatus === "Successful",
      { intervalMs: 100, what: "the two executions to finish" },
    );
    const users = (await lastRun("users"))?.executionResult?.recordsProcessed ?? 0;
    expect(users).toBeGreaterThan(10);

    const done = await scrape(endpoint);
    expect(done['profileflow_executions_in_progress{state="waiting"}']).toBe(0);
    expect(done['profileflow_executions_in_progress{state="running"}']).toBe(0);
    expect(done['profileflow_queue_jobs{state="due"}']).toBeLessThan(
      queued['profileflow_queue_jobs{state="due"}']!,
    );
    expect(done['profileflow_records_ingested_total{trigger="OnDemand"}']).toBe(2 * users);
    expect(done['profileflow_put_failures_total{trigger="OnDemand"}']).toBe(users);
    for (const flow of ["users", "users-failing"]) {
      const at = done[`profileflow_flow_last_success_timestamp_seconds{flow="${flow}"}`]!;
      expect(at * 1000).toBeGreaterThanOrEqual(started - 1000);
      expect(at * 1000).toBeLessThanOrEqual(Date.now());
    }
    if (dialect === "postgres") {
      expect(done["profileflow_workers_live"]).toBe(1);
      expect(done["profileflow_worker_slots"]).toBeGreaterThanOrEqual(1);
    }
  });
});
