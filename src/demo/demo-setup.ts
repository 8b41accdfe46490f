import { createHmac } from "node:crypto";
import {
  type AppflowClient,
  type ConnectorProfileConfig,
  CreateConnectorProfileCommand,
  DescribeConnectorProfilesCommand,
  UpdateConnectorProfileCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  CreateIntegrationWorkflowCommand,
  type CustomerProfilesClient,
  type FlowDefinition,
  GetDomainCommand,
  GetProfileObjectTypeTemplateCommand,
  GetWorkflowCommand,
  ListIntegrationsCommand,
  ListWorkflowsCommand,
  PutIntegrationCommand,
} from "@aws-sdk/client-customer-profiles";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../ingest/matching/recommended-matching.ts";
import {
  connectorProfileConfig,
  DEMO_SOURCES,
  type DemoSource,
  SALESFORCE_SECRET_NAME,
} from "./demo-sources.ts";

/** The SDK clients a user's script would hold. */
export interface DemoClients {
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  secrets: SecretsManagerClient;
}

/** What the setup made (or found): per source, its workflow id when it is backfilled by one. */
export interface DemoTrack {
  source: DemoSource;
  workflowId?: string;
  /** What became of the connector profile: made now, sent the sandbox's changed credentials, or left. */
  connection: ConnectionChange;
  /** Keyed fingerprint of the connector profile config the server now holds (kept for the next run to compare). */
  sent: string;
}

/** What `setUpDemo` did to a connector profile. */
export type ConnectionChange = "created" | "updated" | "unchanged";

/**
 * A fingerprint of a connector profile config: a resumed run updates the profile when it differs. The
 * config holds credentials, so it is an HMAC under a key of the data directory's (demo.key), never a
 * bare hash that a reader of demo.json could test guesses against.
 */
export function configFingerprint(config: ConnectorProfileConfig, key: Buffer): string {
  return createHmac("sha256", key).update(JSON.stringify(config)).digest("base64url");
}

const MONTH_BATCHES = 3;
const KMS_ARN = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000";
const ROLE_ARN = "arn:aws:iam::000000000000:role/profileflow-demo";

const notFound = (e: unknown) => (e as { name?: string }).name === "ResourceNotFoundException";

/** `t` moved by `months` calendar months (UTC), the day clamped to the target month. */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0)).getUTCDate();
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() + months,
    Math.min(d.getUTCDate(), last),
    d.getUTCHours(),
    d.getUTCMinutes(),
  );
}

/** Three two-month batches ending at `end`: the six months of history a workflow ingests. */
export function historyBatches(end: number): { StartTime: Date; EndTime: Date }[] {
  return Array.from({ length: MONTH_BATCHES }, (_, i) => ({
    StartTime: new Date(addMonths(end, -2 * (MONTH_BATCHES - i))),
    EndTime: new Date(i === MONTH_BATCHES - 1 ? end : addMonths(end, -2 * (MONTH_BATCHES - i - 1))),
  }));
}

/** The template's source fields, as the PROJECTION task's field list (the template says what it maps). */
async function projection(c: DemoClients, s: DemoSource): Promise<string[]> {
  const t = await c.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: s.objectTypeName }));
  const fields = Object.values(t.Fields ?? {})
    .map((f) => f.Source?.replace(/^_source\./, "") ?? "")
    .filter((f) => f !== "" && !f.includes("."));
  return [...new Set([...fields, s.cursorField])];
}

/** A scheduled incremental FlowDefinition from `from`, syncing every minute. */
async function flowDefinition(c: DemoClients, s: DemoSource, from: number): Promise<FlowDefinition> {
  return {
    FlowName: s.flowName,
    Description: `profileflow demo - ${s.connectorType} ${s.object}`,
    KmsArn: KMS_ARN,
    SourceFlowConfig: {
      ConnectorType: s.connectorType,
      ConnectorProfileName: s.connectorProfileName,
      SourceConnectorProperties: { [s.propertiesKey]: { Object: s.object } },
      IncrementalPullConfig: { DatetimeTypeFieldName: s.cursorField },
    },
    Tasks: [
      {
        TaskType: "Filter",
        SourceFields: await projection(c, s),
        ConnectorOperator: { [s.propertiesKey]: "PROJECTION" },
      },
    ],
    TriggerConfig: {
      TriggerType: "Scheduled",
      TriggerProperties: {
        Scheduled: {
          ScheduleExpression: "rate(1minutes)",
          DataPullMode: "Incremental",
          FirstExecutionFrom: new Date(from),
        },
      },
    },
  };
}

/** Creates the domain unless it exists. */
async function ensureDomain(c: DemoClients, domain: string): Promise<void> {
  try {
    await c.profiles.send(new GetDomainCommand({ DomainName: domain }));
  } catch (e) {
    if (!notFound(e)) throw e;
    // The recommended rule-based matching (docs/matching.md): one profile per person across sources.
    await c.profiles.send(
      new CreateDomainCommand({
        DomainName: domain,
        DefaultExpirationDays: 366,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
  }
}

/** The Salesforce connected app's id and secret as a Secrets Manager secret; its ARN. */
async function ensureSalesforceSecret(c: DemoClients, sf: Record<string, string>): Promise<string> {
  try {
    const d = await c.secrets.send(new DescribeSecretCommand({ SecretId: SALESFORCE_SECRET_NAME }));
    if (d.ARN) return d.ARN;
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  const made = await c.secrets.send(
    new CreateSecretCommand({
      Name: SALESFORCE_SECRET_NAME,
      SecretString: JSON.stringify({ clientId: sf["clientId"], clientSecret: sf["clientSecret"] }),
    }),
  );
  if (!made.ARN) throw new Error("CreateSecret returned no ARN");
  return made.ARN;
}

/**
 * Creates the connector profile, or updates it when the sandbox's URL or credentials differ from what the
 * last run sent (`sent`, its fingerprint): ports may change, and a restarted sandbox may hand out new
 * tokens. An update always carries the full credentials, as UpdateConnectorProfile needs with a new URL.
 */
async function ensureConnectorProfile(
  c: DemoClients,
  s: DemoSource,
  credentials: Record<string, string>,
  secretArn: string | undefined,
  sent: string | undefined,
  fingerprintKey: Buffer,
): Promise<{ connection: ConnectionChange; sent: string }> {
  const config = connectorProfileConfig(s, credentials, secretArn);
  const fingerprint = configFingerprint(config, fingerprintKey);
  const existing = await c.appflow.send(
    new DescribeConnectorProfilesCommand({ connectorProfileNames: [s.connectorProfileName] }),
  );
  const found = existing.connectorProfileDetails?.[0];
  if (!found) {
    await c.appflow.send(
      new CreateConnectorProfileCommand({
        connectorProfileName: s.connectorProfileName,
        connectorType: s.connectorType,
        connectionMode: "Public",
        connectorProfileConfig: config,
      }),
    );
    return { connection: "created", sent: fingerprint };
  }
  const props = found.connectorProfileProperties as Record<string, { instanceUrl?: string }> | undefined;
  if (props?.[s.propertiesKey]?.instanceUrl === credentials["instanceUrl"] && sent === fingerprint) {
    return { connection: "unchanged", sent: fingerprint };
  }
  await c.appflow.send(
    new UpdateConnectorProfileCommand({
      connectorProfileName: s.connectorProfileName,
      connectionMode: "Public",
      connectorProfileConfig: config,
    }),
  );
  return { connection: "updated", sent: fingerprint };
}

/** The workflow already made for a source, if any (a resumed demo must not backfill twice). */
async function existingWorkflow(c: DemoClients, domain: string, s: DemoSource): Promise<string | undefined> {
  const list = await c.profiles.send(
    new ListWorkflowsCommand({ DomainName: domain, WorkflowType: "APPFLOW_INTEGRATION" }),
  );
  for (const item of list.Items ?? []) {
    if (!item.WorkflowId) continue;
    const wf = await c.profiles.send(
      new GetWorkflowCommand({ DomainName: domain, WorkflowId: item.WorkflowId }),
    );
    if (wf.Attributes?.AppflowIntegration?.ConnectorProfileName === s.connectorProfileName)
      return item.WorkflowId;
  }
  return undefined;
}

/**
 * Everything a user's script would do, idempotently: domain, secret, connector profiles, and per source a
 * bulk workflow over `[start, end)` in three batches (or one incremental integration from `start`).
 * `sent` holds the fingerprints (by connector profile name) of what the previous run sent.
 */
export async function setUpDemo(
  c: DemoClients,
  options: {
    domain: string;
    credentials: Record<string, Record<string, string>>;
    start: number;
    end: number;
    workflows: boolean;
    sent?: Record<string, string>;
    /** The key of the `sent` fingerprints (`openDemoState`). */
    fingerprintKey: Buffer;
    /** Default: DEMO_SOURCES. */
    sources?: readonly DemoSource[];
  },
): Promise<DemoTrack[]> {
  const { domain, credentials } = options;
  const sources = options.sources ?? DEMO_SOURCES;
  await ensureDomain(c, domain);
  const sf = credentials["salesforce"] ?? {};
  const secretArn = sources.some((s) => s.vendor === "salesforce")
    ? await ensureSalesforceSecret(c, sf)
    : undefined;
  const integrated = new Set(
    ((await c.profiles.send(new ListIntegrationsCommand({ DomainName: domain }))).Items ?? []).map((i) =>
      i.Uri?.split("/").pop(),
    ),
  );
  const tracks: DemoTrack[] = [];
  for (const s of sources) {
    const connection = await ensureConnectorProfile(
      c,
      s,
      credentials[s.vendor] ?? {},
      s.vendor === "salesforce" ? secretArn : undefined,
      options.sent?.[s.connectorProfileName],
      options.fingerprintKey,
    );
    if (options.workflows && s.via === "workflow") {
      let workflowId = await existingWorkflow(c, domain, s);
      if (!workflowId && !integrated.has(s.flowName)) {
        const made = await c.profiles.send(
          new CreateIntegrationWorkflowCommand({
            DomainName: domain,
            WorkflowType: "APPFLOW_INTEGRATION",
            ObjectTypeName: s.objectTypeName,
            RoleArn: ROLE_ARN,
            IntegrationConfig: {
              AppflowIntegration: {
                FlowDefinition: await flowDefinition(c, s, options.start),
                Batches: historyBatches(options.end),
              },
            },
          }),
        );
        workflowId = made.WorkflowId;
      }
      tracks.push({ source: s, ...connection, ...(workflowId ? { workflowId } : {}) });
      continue;
    }
    if (!integrated.has(s.flowName)) {
      await c.profiles.send(
        new PutIntegrationCommand({
          DomainName: domain,
          ObjectTypeName: s.objectTypeName,
          FlowDefinition: await flowDefinition(c, s, options.start),
        }),
      );
    }
    tracks.push({ source: s, ...connection });
  }
  return tracks;
}
