import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
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
} from "@aws-sdk/client-customer-profiles";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ServiceNowSandbox,
  startServiceNowSandbox,
} from "../../src/sandbox/servicenow/start-servicenow-sandbox.ts";
import { liveServiceNowUsers, serviceNowConnectorProfile } from "../helpers/servicenow-resources.ts";
import { waitFor } from "../helpers/wait-for.ts";

const bin = join(import.meta.dirname, "../../bin/profileflow.js");
const credentials = { accessKeyId: "AKIDCRASHTESTKEY01", secretAccessKey: "crash-secret" };
let child: ChildProcess | undefined;
let sb: ServiceNowSandbox;

/** Starts `profileflow serve` on a data dir as a real process; resolves with its endpoint. */
function serve(dataDir: string): Promise<string> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PROFILEFLOW_")),
  );
  child = spawn(process.execPath, [bin, "serve", "--port", "0", "--data", dataDir], {
    env: {
      ...clean,
      PROFILEFLOW_LOG_LEVEL: "warn",
      PROFILEFLOW_ACCESS_KEY_ID: credentials.accessKeyId,
      PROFILEFLOW_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/[\d.:]+)/);
      if (m) resolve(m[1]!);
    });
    child!.stderr!.on("data", () => {});
    child!.on("exit", (code, signal) => reject(new Error(`serve exited ${code ?? signal}`)));
  });
}

function clients(endpoint: string) {
  const cfg = { endpoint, region: "us-east-1", credentials, maxAttempts: 1 };
  return { profiles: new CustomerProfilesClient(cfg), appflow: new AppflowClient(cfg) };
}

beforeAll(async () => {
  // Slow pages (latency per request) and several of them, so a kill lands in the middle of a run.
  sb = await startServiceNowSandbox({ seed: 9, people: 12_000, knobs: { latencyMs: 700 } });
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await sb?.close();
});

/** Serves a fresh data dir with the ServiceNow users flow into domain "crash", started on demand. */
async function usersFlow(dataDir: string): Promise<void> {
  const c = clients(await serve(dataDir));
  await c.appflow.send(new CreateConnectorProfileCommand(serviceNowConnectorProfile("sn", sb)));
  await c.profiles.send(new CreateDomainCommand({ DomainName: "crash", DefaultExpirationDays: 30 }));
  await c.profiles.send(
    new PutIntegrationCommand({
      DomainName: "crash",
      ObjectTypeName: "Servicenow-sys_user",
      FlowDefinition: {
        FlowName: "crash-users",
        KmsArn: (await c.profiles.send(new GetDomainCommand({ DomainName: "crash" }))).DefaultEncryptionKey!,
        SourceFlowConfig: {
          ConnectorType: "Servicenow",
          ConnectorProfileName: "sn",
          SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
        },
        Tasks: [
          {
            TaskType: "Filter",
            SourceFields: ["sys_id", "first_name", "last_name", "email", "phone", "sys_updated_on"],
            ConnectorOperator: { ServiceNow: "PROJECTION" },
          },
        ],
        TriggerConfig: { TriggerType: "OnDemand" },
      },
    }),
  );
}

/** Restarts on `dataDir` and checks the store equals an uninterrupted run's: every user once. */
async function resumeAndCheck(dataDir: string): Promise<void> {
  const users = await liveServiceNowUsers(sb);
  const c = clients(await serve(dataDir));
  const status = await waitFor(
    async () => {
      const r = await c.appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName: "crash-users" }));
      const s = r.flowExecutions?.[0]?.executionStatus ?? "";
      return s !== "InProgress" && s !== "" ? s : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, what: "the resumed execution to end" },
  );
  expect(status).toBe("Successful");
  const records = await c.appflow.send(new DescribeFlowExecutionRecordsCommand({ flowName: "crash-users" }));
  expect(records.flowExecutions).toHaveLength(1);
  expect(records.flowExecutions?.[0]?.executionResult?.recordsProcessed).toBe(users.size);

  // The store equals an uninterrupted run's: one object and one profile per live user, each user's own,
  // each ingested once (a record read again after the crash is not written a second time).
  const stats = (await c.profiles.send(new GetDomainCommand({ DomainName: "crash" }))).Stats;
  expect(stats?.ObjectCount).toBe(users.size);
  expect(stats?.ProfileCount).toBe(users.size);
  const check = new SQLite(join(dataDir, "profileflow.db"), { readonly: true });
  const keys = check
    .prepare("select object_key from profile_objects where domain_name = 'crash' order by object_key")
    .all() as { object_key: string }[];
  const twice = check
    .prepare(
      `select object_key, count(*) as n from profile_history
       where domain_name = 'crash' and action_type = 'INGESTED' group by object_key having count(*) > 1`,
    )
    .all();
  const ingested = check
    .prepare(
      "select count(*) as n from profile_history where domain_name = 'crash' and action_type = 'INGESTED'",
    )
    .get() as { n: number };
  check.close();
  expect(keys.map((k) => k.object_key)).toEqual([...users].sort());
  expect(twice).toEqual([]);
  expect(ingested.n).toBe(users.size);
}

/** The execution's committed count and the objects stored, read through the WAL. */
function progress(db: SQLite.Database): { status: string; committed: number; objects: number } | undefined {
  const row = db.prepare("select status, records_processed from flow_executions").get() as
    | { status: string; records_processed: number }
    | undefined;
  if (!row) return undefined;
  const objects = db
    .prepare("select count(*) as n from profile_objects where domain_name = 'crash'")
    .get() as {
    n: number;
  };
  return { status: row.status, committed: row.records_processed, objects: objects.n };
}

it("SIGKILL of profileflow serve mid-execution, then restart: every record once, nothing lost", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-crash-"));
  await usersFlow(dataDir);

  // Watch the execution through the SQLite file (WAL allows a reader) and kill once a page is committed.
  const db = new SQLite(join(dataDir, "profileflow.db"), { readonly: true, fileMustExist: true });
  const progressAtKill = await waitFor(
    () => {
      const p = progress(db);
      if (p && p.status !== "InProgress") throw new Error(`run ended before the kill: ${p.status}`);
      return p && p.committed > 0 ? p.committed : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: "a committed page to kill after" },
  );
  child!.kill("SIGKILL");
  await new Promise((r) => child!.once("exit", r));
  db.close();
  expect(progressAtKill).toBeLessThan((await liveServiceNowUsers(sb)).size);
  await resumeAndCheck(dataDir);
}, 240_000);

it("SIGKILL between two parts of a page (objects committed past the checkpoint): each record once", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "pf-crash-parts-"));
  await usersFlow(dataDir);
  const db = new SQLite(join(dataDir, "profileflow.db"), { readonly: true, fileMustExist: true });
  // Parts of a page commit before its checkpoint: stop the process while more objects are stored than
  // the execution has counted, check that this still holds with it stopped, then kill it.
  const atKill = await waitFor(
    () => {
      const seen = progress(db);
      if (seen && seen.status !== "InProgress") throw new Error(`run ended before the kill: ${seen.status}`);
      if (!seen || seen.objects <= seen.committed) return undefined;
      child!.kill("SIGSTOP");
      const stopped = progress(db)!;
      if (stopped.objects > stopped.committed) return stopped;
      child!.kill("SIGCONT");
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 10, what: "a part committed ahead of its page's checkpoint" },
  );
  child!.kill("SIGKILL");
  await new Promise((r) => child!.once("exit", r));
  db.close();
  expect(atKill.objects).toBeGreaterThan(atKill.committed);
  await resumeAndCheck(dataDir);
}, 240_000);
