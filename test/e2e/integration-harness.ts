import {
  type ConnectorProfileConfig,
  CreateConnectorProfileCommand,
  DescribeFlowExecutionRecordsCommand,
  type ExecutionRecord,
} from "@aws-sdk/client-appflow";
import {
  GetDomainCommand,
  GetProfileObjectTypeTemplateCommand,
  type Profile,
  PutIntegrationCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import type { Clock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { DialectName } from "../../src/db/dialect.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { waitFor } from "../helpers/wait-for.ts";
import type { SandboxAdmin } from "./sandbox-admin.ts";

/**
 * How these tests move time: the server under test runs on the sandbox's own clock (the composition
 * root takes any Clock), so advancing the sandbox clock through its admin API is what makes the next
 * `rate(1minutes)` run come due, and what the vendor stamps changes with. The shared clock starts this
 * far behind wall time: PostgreSQL's job queue compares run times with the database's own now(), so our
 * clock must never pass it, and SigV4 tolerates 15 minutes of skew.
 */
export const CLOCK_BEHIND_MS = 12 * 60_000;

/**
 * One schedule step: past the next `rate(1minutes)` tick and past the connectors' lag behind the vendor's
 * now (Salesforce reads up to now − 2 min for late-committed SystemModstamps; Zendesk holds back 60 s).
 */
export const STEP_MS = 150_000;

/** Faults on: transient 5xx, token expiry, latency. Bursts are added by each test through the admin API. */
export const FAULTS = {
  errorRate: { transient: 0.04, rateLimit: 0, authExpiry: 0.02 },
  latencyMs: 2,
};

/** A real server on `clock`, with short engine retries (a transient page failure retries in 200 ms). */
export async function serverOn(dialect: DialectName, clock: Clock): Promise<TestServer> {
  return startTestServer(dialect, {
    workers: true,
    clock,
    engine: { retryBaseMs: 200 },
    ...(process.env["E2E_TRACE"] ? { logger: createLogger("info") } : {}),
  });
}

/** Polls `probe` until it returns a value (`waitFor`, with the harness's patience). */
export function until<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  ms = 45_000,
): Promise<T> {
  return waitFor(probe, { timeoutMs: ms, intervalMs: 100, what });
}

/** Every execution of a flow, oldest first. */
export async function executions(t: TestServer, flowName: string): Promise<ExecutionRecord[]> {
  const out: ExecutionRecord[] = [];
  let nextToken: string | undefined;
  do {
    const r = await t.appflow.send(
      new DescribeFlowExecutionRecordsCommand({ flowName, ...(nextToken ? { nextToken } : {}) }),
    );
    out.push(...(r.flowExecutions ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  return out.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0));
}

const finished = (e: ExecutionRecord) =>
  e.executionStatus !== "InProgress" && e.executionStatus !== "CancelStarted";

/** Waits until the flow has `n` executions, all finished; returns the n-th. */
export async function nthRun(t: TestServer, flowName: string, n: number): Promise<ExecutionRecord> {
  let last: ExecutionRecord[] = [];
  let debugRows: unknown;
  const all = await until(
    () => `execution ${n} of ${flowName}: ${JSON.stringify(last)} ${JSON.stringify(debugRows)}`,
    async () => {
      last = await executions(t, flowName);
      debugRows = [
        await t.server.database.db.selectFrom("executor_jobs").selectAll().execute(),
        await t.server.database.db.selectFrom("executor_schedules").selectAll().execute(),
        await t.server.database.db.selectFrom("flow_executions").selectAll().execute(),
      ];
      return last.length >= n && last.every(finished) ? last : undefined;
    },
  );
  if (all.length !== n) throw new Error(`expected ${n} executions of ${flowName}, found ${all.length}`);
  return all[n - 1]!;
}

/**
 * Advances the shared clock by one schedule step once every flow of the domain is idle (a tick that finds
 * a run still active is skipped, as in AppFlow), and waits for the run it brings; the first flow's run.
 */
export async function nextRun(
  t: TestServer,
  admin: SandboxAdmin,
  flowName: string,
  ...others: string[]
): Promise<ExecutionRecord> {
  const counts: number[] = [];
  for (const f of [flowName, ...others]) {
    const e = await executions(t, f);
    await nthRun(t, f, e.length);
    counts.push(e.length);
  }
  await admin.advance(STEP_MS);
  const runs = [];
  for (const [i, f] of [flowName, ...others].entries()) runs.push(await nthRun(t, f, counts[i]! + 1));
  return runs[0]!;
}

/** The template's source fields (its PROJECTION list) plus the cursor field. */
export async function templateFields(t: TestServer, templateId: string, cursor: string): Promise<string[]> {
  const tpl = await t.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: templateId }));
  const fields = Object.values(tpl.Fields ?? {})
    .map((f) => f.Source?.replace(/^_source\./, "").split(".")[0] ?? "")
    .filter((f) => f !== "");
  return [...new Set([...fields, cursor])];
}

/** One source object integrated into a domain through a template object type. */
export interface SourceSpec {
  connectorType: "Salesforce" | "Servicenow" | "Marketo" | "Zendesk";
  propertiesKey: "Salesforce" | "ServiceNow" | "Marketo" | "Zendesk";
  object: string;
  objectTypeName: string;
  cursor: string;
  extraProperties?: Record<string, unknown>;
}

/** Creates a connector profile through the AppFlow SDK. */
export async function connect(t: TestServer, name: string, type: string, config: ConnectorProfileConfig) {
  await t.appflow.send(
    new CreateConnectorProfileCommand({
      connectorProfileName: name,
      connectorType: type as "Salesforce",
      connectionMode: "Public",
      connectorProfileConfig: config,
    }),
  );
}

/** PutIntegration with a scheduled, incremental FlowDefinition from `from`, every minute. */
export async function integrate(
  t: TestServer,
  o: { domain: string; flowName: string; connectorProfileName: string; source: SourceSpec; from: number },
): Promise<string> {
  const s = o.source;
  const put = await t.profiles.send(
    new PutIntegrationCommand({
      DomainName: o.domain,
      ObjectTypeName: s.objectTypeName,
      FlowDefinition: {
        FlowName: o.flowName,
        KmsArn: (await t.profiles.send(new GetDomainCommand({ DomainName: o.domain }))).DefaultEncryptionKey!,
        SourceFlowConfig: {
          ConnectorType: s.connectorType,
          ConnectorProfileName: o.connectorProfileName,
          SourceConnectorProperties: { [s.propertiesKey]: { Object: s.object, ...s.extraProperties } },
          IncrementalPullConfig: { DatetimeTypeFieldName: s.cursor },
        },
        Tasks: [
          {
            TaskType: "Filter",
            SourceFields: await templateFields(t, s.objectTypeName, s.cursor),
            ConnectorOperator: { [s.propertiesKey]: "PROJECTION" },
          },
        ],
        TriggerConfig: {
          TriggerType: "Scheduled",
          TriggerProperties: {
            Scheduled: {
              ScheduleExpression: "rate(1minutes)",
              DataPullMode: "Incremental",
              FirstExecutionFrom: new Date(o.from),
            },
          },
        },
      },
    }),
  );
  return put.Uri ?? "";
}

/** The ProfileObjectUniqueKeys stored for one object type, sorted. */
export async function objectKeys(t: TestServer, domain: string, objectTypeName: string): Promise<string[]> {
  const rows = await t.server.database.db
    .selectFrom("profile_objects")
    .select("object_key")
    .where("domain_name", "=", domain)
    .where("object_type_name", "=", objectTypeName)
    .execute();
  return rows.map((r) => r.object_key).sort();
}

/** The profiles a key value finds (SearchProfiles). */
export async function search(
  t: TestServer,
  domain: string,
  keyName: string,
  value: string,
): Promise<Profile[]> {
  const r = await t.profiles.send(
    new SearchProfilesCommand({ DomainName: domain, KeyName: keyName, Values: [value] }),
  );
  return r.Items ?? [];
}

/** A dead letter as ListDeadLetters (extension) returns it. */
export interface DeadLetter {
  Id: string;
  ObjectTypeName: string;
  ProfileObjectUniqueKey?: string;
  Object: string;
  ReasonCode: string;
  Message: string;
}

/** ListDeadLetters, an extension the SDK has no command for: signed exactly as the SDK signs. */
export async function deadLetters(t: TestServer, domain: string): Promise<DeadLetter[]> {
  const res = await signedFetch(t.endpoint, {
    method: "GET",
    path: `/domains/${domain}/dead-letters`,
    credentials: t.credentials,
  });
  if (!res.ok) throw new Error(`ListDeadLetters: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { Items: DeadLetter[] }).Items;
}
