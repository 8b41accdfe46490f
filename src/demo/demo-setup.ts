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
  ListIntegrationsCommand,
  PutIntegrationCommand,
} from "@aws-sdk/client-customer-profiles";
import { CreateRoleCommand, GetRoleCommand, type IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { RECOMMENDED_RULE_BASED_MATCHING } from "../ingest/matching/recommended-matching.ts";
import { fillWorkflowRolePolicy, WORKFLOW_ROLE_TRUST_POLICY } from "../security/iam/workflow-role-policy.ts";
import {
  connectorProfileConfig,
  DEMO_OBJECTS,
  type DemoSource,
  SALESFORCE_SECRET_NAME,
} from "./demo-sources.ts";

/** The SDK clients a user's script would hold. */
export interface DemoClients {
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  secrets: SecretsManagerClient;
  iam: IAMClient;
}

/** What the setup made (or found): per object, its workflow id when it is backfilled by one. */
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
/** The inline policy of the role the demo's workflows act as. */
const ROLE_POLICY_NAME = "CustomerProfilesWorkflowLeastPrivilege";

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

/**
 * The template's source fields, as the PROJECTION task's field list (the template says what it maps): the
 * top-level field of every `_source.…` path, in plain Sources and in expressions alike, so a reference
 * read as `opened_by.value` keeps `opened_by` and an expression's `IsPersonAccount` is kept too.
 */
export async function projection(c: DemoClients, s: DemoSource): Promise<string[]> {
  const t = await c.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: s.objectTypeName }));
  const fields = Object.values(t.Fields ?? {}).flatMap((f) =>
    [...(f.Source ?? "").matchAll(/_source\.([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? ""),
  );
  return [...new Set([...fields, s.cursorField])].filter((f) => f !== "");
}

/** A scheduled incremental FlowDefinition from `from`, syncing every minute. */
async function flowDefinition(
  c: DemoClients,
  s: DemoSource,
  from: number,
  keyArn: string,
): Promise<FlowDefinition> {
  return {
    FlowName: s.flowName,
    Description: `profileflow demo - ${s.connectorType} ${s.object}`,
    KmsArn: keyArn,
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

/** Creates the domain unless it exists; its DefaultEncryptionKey (a KMS key the server made for it). */
async function ensureDomain(c: DemoClients, domain: string): Promise<string> {
  let key: string | undefined;
  try {
    key = (await c.profiles.send(new GetDomainCommand({ DomainName: domain }))).DefaultEncryptionKey;
  } catch (e) {
    if (!notFound(e)) throw e;
    // The recommended rule-based matching (docs/matching.md): one profile per person across sources.
    const made = await c.profiles.send(
      new CreateDomainCommand({
        DomainName: domain,
        DefaultExpirationDays: 366,
        RuleBasedMatching: RECOMMENDED_RULE_BASED_MATCHING as never,
      }),
    );
    key = made.DefaultEncryptionKey;
  }
  if (!key) throw new Error(`domain ${domain} has no DefaultEncryptionKey (made before per-domain keys?)`);
  return key;
}

/**
 * The role the demo's bulk workflows act as, as the console and `profileflow integrate` create it:
 * trusted by profile.amazonaws.com, with the seed's least-privilege policy naming the domain's key. An
 * existing role (a resumed run) gets the policy again, so it names the domain's current key. Its ARN.
 */
async function ensureWorkflowRole(c: DemoClients, domain: string, keyArn: string): Promise<string> {
  const name = `CustomerProfilesWorkflow-${domain}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  let arn: string | undefined;
  try {
    arn = (await c.iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Arn;
  } catch (e) {
    if ((e as { name?: string }).name !== "NoSuchEntityException") throw e;
    const made = await c.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY,
        Description: `Customer Profiles integration workflows of domain ${domain} (profileflow demo)`,
      }),
    );
    arn = made.Role?.Arn;
  }
  if (!arn) throw new Error(`IAM returned no ARN for role ${name}`);
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: ROLE_POLICY_NAME,
      PolicyDocument: fillWorkflowRolePolicy(keyArn, await c.iam.config.region()),
    }),
  );
  return arn;
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

/** The domain's integrations, hidden ones too (a workflow's steps, before its hand-off): flow name and workflow. */
async function integrationsOf(
  c: DemoClients,
  domain: string,
): Promise<{ flowName: string; objectTypeName: string; workflowId?: string }[]> {
  const out: { flowName: string; objectTypeName: string; workflowId?: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.profiles.send(
      new ListIntegrationsCommand({
        DomainName: domain,
        IncludeHidden: true,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    for (const i of page.Items ?? [])
      out.push({
        flowName: i.Uri?.split("/").pop() ?? "",
        objectTypeName: i.ObjectTypeName ?? "",
        ...(i.WorkflowId ? { workflowId: i.WorkflowId } : {}),
      });
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/**
 * The workflow already made for an object, if any (a resumed demo must not backfill twice): the one whose
 * integration is the object's own flow (after the hand-off) or one of its steps' hidden flows
 * (`<flowName>-wf<id>-<n>`), into the object's type. One vendor's objects share a connector profile, so
 * the profile name cannot tell their workflows apart.
 */
function existingWorkflow(
  integrations: readonly { flowName: string; objectTypeName: string; workflowId?: string }[],
  s: DemoSource,
): string | undefined {
  return integrations.find(
    (i) =>
      i.workflowId !== undefined &&
      i.objectTypeName === s.objectTypeName &&
      (i.flowName === s.flowName || i.flowName.startsWith(`${s.flowName}-wf`)),
  )?.workflowId;
}

/**
 * Everything a user's script would do, idempotently: domain, secret, one connector profile per vendor,
 * and per object a bulk workflow over `[start, end)` in three batches (or one incremental integration from `start`).
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
    /** Default: DEMO_OBJECTS (every object; one connector profile per vendor). */
    sources?: readonly DemoSource[];
  },
): Promise<DemoTrack[]> {
  const { domain, credentials } = options;
  const sources = options.sources ?? DEMO_OBJECTS;
  const keyArn = await ensureDomain(c, domain);
  const roleArn =
    options.workflows && sources.some((s) => s.via === "workflow")
      ? await ensureWorkflowRole(c, domain, keyArn)
      : undefined;
  const sf = credentials["salesforce"] ?? {};
  const secretArn = sources.some((s) => s.vendor === "salesforce")
    ? await ensureSalesforceSecret(c, sf)
    : undefined;
  const integrations = await integrationsOf(c, domain);
  const integrated = new Set(integrations.map((i) => i.flowName));
  // One connector profile per vendor, however many of its objects are integrated.
  const connections = new Map<string, { connection: ConnectionChange; sent: string }>();
  const tracks: DemoTrack[] = [];
  for (const s of sources) {
    let connection = connections.get(s.connectorProfileName);
    if (!connection) {
      connection = await ensureConnectorProfile(
        c,
        s,
        credentials[s.vendor] ?? {},
        s.vendor === "salesforce" ? secretArn : undefined,
        options.sent?.[s.connectorProfileName],
        options.fingerprintKey,
      );
      connections.set(s.connectorProfileName, connection);
    }
    if (options.workflows && s.via === "workflow") {
      let workflowId = existingWorkflow(integrations, s);
      if (!workflowId && !integrated.has(s.flowName)) {
        const made = await c.profiles.send(
          new CreateIntegrationWorkflowCommand({
            DomainName: domain,
            WorkflowType: "APPFLOW_INTEGRATION",
            ObjectTypeName: s.objectTypeName,
            RoleArn: roleArn,
            IntegrationConfig: {
              AppflowIntegration: {
                FlowDefinition: await flowDefinition(c, s, options.start, keyArn),
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
          FlowDefinition: await flowDefinition(c, s, options.start, keyArn),
        }),
      );
    }
    tracks.push({ source: s, ...connection });
  }
  return tracks;
}
