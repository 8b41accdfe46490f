import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  AppflowClient,
  type ConnectorType,
  CreateConnectorProfileCommand,
  DescribeConnectorProfilesCommand,
} from "@aws-sdk/client-appflow";
import {
  CreateIntegrationWorkflowCommand,
  CustomerProfilesClient,
  type FlowDefinition,
  GetDomainCommand,
  GetProfileObjectTypeTemplateCommand,
  ListProfileObjectTypeTemplatesCommand,
  PutIntegrationCommand,
} from "@aws-sdk/client-customer-profiles";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Command } from "commander";
import { env } from "../env.ts";

/** Where the API is and who we are: flags, then AWS_* / PROFILEFLOW_* variables, then `<data>/credentials`. */
export interface ApiFlags {
  endpoint?: string;
  region?: string;
  data?: string;
}

/** SDK clients plus a signed fetch for the extension operations the SDK does not model. */
export interface ApiClients {
  endpoint: string;
  profiles: CustomerProfilesClient;
  appflow: AppflowClient;
  /** POST a JSON body to an extension path, signed for `service`; returns the parsed answer or throws its Message. */
  extension(service: "profile" | "appflow", path: string, body: unknown): Promise<Record<string, unknown>>;
  close(): void;
}

/** Opens the clients for a CLI command. */
export function apiClients(flags: ApiFlags): ApiClients {
  const e = env();
  const endpoint = flags.endpoint ?? e["PROFILEFLOW_ENDPOINT"] ?? "http://127.0.0.1:4590";
  const region = flags.region ?? e["AWS_REGION"] ?? "us-east-1";
  const credentials = resolveCredentials(flags.data ?? e["PROFILEFLOW_DATA_DIR"] ?? ".profileflow");
  const cfg = { endpoint, region, credentials, maxAttempts: 3 };
  const profiles = new CustomerProfilesClient(cfg);
  const appflow = new AppflowClient(cfg);
  return {
    endpoint,
    profiles,
    appflow,
    async extension(service, path, body) {
      const url = new URL(endpoint);
      const text = JSON.stringify(body);
      const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: true });
      const req = new HttpRequest({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { host: url.host, "content-type": "application/json" },
        body: text,
      });
      const signed = await signer.sign(req);
      const res = await fetch(`${endpoint}${path}`, {
        method: "POST",
        headers: signed.headers as Record<string, string>,
        body: text,
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) throw new Error(String(json["Message"] ?? json["message"] ?? `HTTP ${res.status}`));
      return json;
    },
    close() {
      profiles.destroy();
      appflow.destroy();
    },
  };
}

function resolveCredentials(dataDir: string): { accessKeyId: string; secretAccessKey: string } {
  const e = env();
  const id = e["AWS_ACCESS_KEY_ID"] ?? e["PROFILEFLOW_ACCESS_KEY_ID"];
  const secret = e["AWS_SECRET_ACCESS_KEY"] ?? e["PROFILEFLOW_SECRET_ACCESS_KEY"];
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret };
  try {
    const text = readFileSync(join(dataDir, "credentials"), "utf8");
    const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S+)`, "m").exec(text)?.[1];
    const accessKeyId = get("aws_access_key_id");
    const secretAccessKey = get("aws_secret_access_key");
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
  } catch {
    // fall through to the hint
  }
  throw new Error(
    `No credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or point --data at the server's data directory (${dataDir}/credentials).`,
  );
}

/** Line-based prompts that also work when every answer arrives at once on a pipe (tests). */
export class Prompter {
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | undefined) => void)[] = [];
  readonly #rl;
  #closed = false;

  constructor(
    input: NodeJS.ReadableStream,
    readonly output: NodeJS.WritableStream,
  ) {
    this.#rl = createInterface({ input, terminal: false });
    this.#rl.on("line", (l) => {
      const w = this.#waiting.shift();
      if (w) w(l);
      else this.#lines.push(l);
    });
    this.#rl.on("close", () => {
      this.#closed = true;
      for (const w of this.#waiting.splice(0)) w(undefined);
    });
  }

  /** Asks one question; an empty answer takes the default. */
  async ask(question: string, def?: string): Promise<string> {
    this.output.write(`${question}${def ? ` [${def}]` : ""}: `);
    const line = await this.#next();
    if (line === undefined) throw new Error(`No answer to "${question}" (input closed).`);
    const answer = line.trim();
    this.output.write(`${answer || def || ""}\n`);
    return answer || def || "";
  }

  /** One of `options`, by number or by name. */
  async choose(question: string, options: readonly string[], def?: string): Promise<string> {
    options.forEach((o, i) => {
      this.output.write(`  ${i + 1}) ${o}\n`);
    });
    for (;;) {
      const a = await this.ask(question, def);
      const byNumber = options[Number(a) - 1];
      const pick = byNumber ?? options.find((o) => o.toLowerCase() === a.toLowerCase());
      if (pick) return pick;
      this.output.write(`  choose one of: ${options.join(", ")}\n`);
    }
  }

  /** Yes or no. */
  async confirm(question: string, def = true): Promise<boolean> {
    const a = await this.ask(`${question} (y/n)`, def ? "y" : "n");
    return /^y(es)?$/i.test(a);
  }

  async #next(): Promise<string | undefined> {
    const l = this.#lines.shift();
    if (l !== undefined || this.#closed) return l;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#rl.close();
  }
}

/** The four sources as the seed lists them. */
export const SOURCES = {
  salesforce: {
    type: "Salesforce",
    key: "Salesforce",
    cursor: "SystemModstamp",
    bulk: true,
    secrets: ["accessToken", "refreshToken"],
  },
  servicenow: {
    type: "Servicenow",
    key: "ServiceNow",
    cursor: "sys_updated_on",
    bulk: true,
    secrets: ["username", "password"],
  },
  marketo: {
    type: "Marketo",
    key: "Marketo",
    cursor: "updatedAt",
    bulk: true,
    secrets: ["clientId", "clientSecret"],
  },
  zendesk: {
    type: "Zendesk",
    key: "Zendesk",
    cursor: "updated_at",
    bulk: false,
    secrets: ["clientId", "clientSecret", "accessToken"],
  },
} as const;
export type SourceName = keyof typeof SOURCES;

const DAY = 86_400_000;

/** `2024-01-31`, an ISO time, or `180d` (days back) → epoch ms. */
export function parseStart(raw: string, now: number): number {
  const days = /^(\d+)d$/.exec(raw.trim());
  if (days) return now - Number(days[1]) * DAY;
  const t = Date.parse(raw.trim());
  if (Number.isNaN(t))
    throw new Error(`--start ${raw} is neither a date (2024-01-31) nor a number of days back (180d).`);
  return t;
}

/** Everything `integrate` needs, from flags or prompts. */
export interface IntegrateFlags extends ApiFlags {
  domain?: string;
  source?: string;
  connection?: string;
  newConnection?: string;
  instanceUrl?: string;
  credential?: string[];
  objects?: string;
  objectType?: string[];
  start?: string;
  roleArn?: string;
  kmsArn?: string;
  schedule?: string;
  yes?: boolean;
}

/** What `integrate` created. */
export interface IntegrateResult {
  integrations: string[];
  workflows: string[];
}

/**
 * The seed's setup path: source, connection (existing, or new and tested until Connected), objects and
 * their object types (templates by default), the start date (more than 60 days back → a bulk workflow,
 * with the role), review, create. Prompts for anything missing when `prompter` is given.
 */
export async function integrate(
  api: ApiClients,
  f: IntegrateFlags,
  out: NodeJS.WritableStream,
  prompter?: Prompter,
  now = Date.now(),
): Promise<IntegrateResult> {
  const need = async (value: string | undefined, question: string, def?: string) => {
    if (value) return value;
    if (!prompter) {
      if (def !== undefined) return def;
      throw new Error(`Missing ${question}: give it as a flag or run in a terminal.`);
    }
    return prompter.ask(question, def);
  };
  const domain = await need(f.domain, "Domain name");
  const domainInfo = await api.profiles.send(new GetDomainCommand({ DomainName: domain }));

  // 1. Select source
  let sourceName = f.source?.toLowerCase();
  if (!sourceName && prompter)
    sourceName = (await prompter.choose("Source", Object.keys(SOURCES))).toLowerCase();
  if (!sourceName || !(sourceName in SOURCES))
    throw new Error(`--source must be one of ${Object.keys(SOURCES).join(", ")}.`);
  const source = SOURCES[sourceName as SourceName];
  if (
    prompter &&
    !f.yes &&
    !(await prompter.confirm("I've read the integration requirements for this source"))
  ) {
    throw new Error("Stopped: read the integration requirements first.");
  }

  // 2. Establish connection
  const connection = await establishConnection(api, f, source, out, prompter, need);

  // 3. Integration options: objects and object types (templates by default)
  const templates = (
    (await api.profiles.send(new ListProfileObjectTypeTemplatesCommand({}))).Items ?? []
  ).filter((t) => t.SourceName?.toLowerCase() === source.type.toLowerCase());
  const available = templates.map((t) => t.SourceObject ?? "").filter(Boolean);
  const objectsRaw = await need(
    f.objects,
    `Source objects (comma separated; ${available.join(", ")})`,
    available.join(","),
  );
  const objects = objectsRaw
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const typeFlags = Object.fromEntries((f.objectType ?? []).map((kv) => kv.split("=") as [string, string]));
  const plan: { object: string; objectType: string; fields: string[] }[] = [];
  for (const object of objects) {
    const template = templates.find((t) => t.SourceObject === object);
    const def = template?.TemplateId ?? "";
    const objectType =
      typeFlags[object] ?? (prompter && !f.yes ? await prompter.ask(`Object type for ${object}`, def) : def);
    if (!objectType)
      throw new Error(`No template for ${object}: give --object-type ${object}=<ObjectTypeName>.`);
    const fields = template?.TemplateId ? await templateFields(api, template.TemplateId) : [];
    plan.push({ object, objectType, fields });
  }

  // 4. Ingestion start date: default 30 days back; more than 60 days → a bulk workflow (not for Zendesk)
  const startText = await need(f.start, "Ingestion start date (YYYY-MM-DD or Nd back)", "30d");
  const start = parseStart(startText, now);
  const bulk = source.bulk && now - start > 60 * DAY;
  let roleArn = f.roleArn;
  if (bulk && !roleArn) {
    out.write(
      "The start date is more than 60 days back: the history is ingested by a workflow in 2-month batches, which needs a role.\n",
    );
    roleArn = await need(
      undefined,
      "Role ARN for the integration workflow",
      "arn:aws:iam::000000000000:role/CustomerProfilesIntegrationWorkflow",
    );
  }
  const kmsArn =
    f.kmsArn ??
    (domainInfo.DefaultEncryptionKey?.startsWith("arn:aws:kms:")
      ? domainInfo.DefaultEncryptionKey
      : "arn:aws:kms:us-east-1:000000000000:key/profileflow-domain-key");

  // 5. Review and integrate
  const tested = await api.extension("appflow", "/test-connector-profile", {
    connectorProfileName: connection,
  });
  out.write(
    [
      "Review",
      `  domain:            ${domain}`,
      `  source:            ${source.type}`,
      `  connection:        ${connection} (${String(tested["connectionStatus"])}${tested["message"] ? `: ${String(tested["message"])}` : ""})`,
      ...plan.map((p) => `  object:            ${p.object} → ${p.objectType}`),
      `  ingestion start:   ${new Date(start).toISOString()}${bulk ? " (bulk workflow, 2-month batches, then continuous)" : ""}`,
      "",
    ].join("\n"),
  );
  if (tested["connectionStatus"] !== "Connected")
    throw new Error(`Connection ${connection} is not Connected.`);
  if (prompter && !f.yes && !(await prompter.confirm("Create integration")))
    throw new Error("Stopped before creating anything.");

  const result: IntegrateResult = { integrations: [], workflows: [] };
  for (const p of plan) {
    const flow = flowDefinition({
      domain,
      source,
      connection,
      kmsArn,
      start,
      schedule: f.schedule ?? "rate(1hours)",
      ...p,
    });
    if (bulk) {
      const r = await api.profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: domain,
          WorkflowType: "APPFLOW_INTEGRATION",
          ObjectTypeName: p.objectType,
          RoleArn: roleArn!,
          IntegrationConfig: { AppflowIntegration: { FlowDefinition: flow } },
        }),
      );
      result.workflows.push(r.WorkflowId!);
      out.write(`workflow ${r.WorkflowId} for ${p.object}: ${r.Message}\n`);
    } else {
      const r = await api.profiles.send(
        new PutIntegrationCommand({ DomainName: domain, ObjectTypeName: p.objectType, FlowDefinition: flow }),
      );
      result.integrations.push(r.Uri!);
      out.write(`integration ${r.Uri} for ${p.object}\n`);
    }
  }
  return result;
}

async function establishConnection(
  api: ApiClients,
  f: IntegrateFlags,
  source: (typeof SOURCES)[SourceName],
  out: NodeJS.WritableStream,
  prompter: Prompter | undefined,
  need: (v: string | undefined, q: string, def?: string) => Promise<string>,
): Promise<string> {
  if (f.connection) return f.connection;
  const existing = (
    (
      await api.appflow.send(
        new DescribeConnectorProfilesCommand({ connectorType: source.type as ConnectorType }),
      )
    ).connectorProfileDetails ?? []
  ).map((p) => p.connectorProfileName ?? "");
  if (!f.newConnection && prompter && existing.length > 0) {
    const pick = await prompter.choose("Connection", [...existing, "create new connection"]);
    if (pick !== "create new connection") return pick;
  }
  const name = await need(f.newConnection, "New connection name", `${source.key.toLowerCase()}-connection`);
  for (;;) {
    const instanceUrl = await need(f.instanceUrl, `${source.type} instance URL`);
    const given = Object.fromEntries(
      (f.credential ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const creds: Record<string, string> = {};
    for (const k of source.secrets) {
      const v = given[k] ?? (prompter ? await prompter.ask(k) : undefined);
      if (v) creds[k] = v;
    }
    try {
      await api.appflow.send(
        new CreateConnectorProfileCommand({
          connectorProfileName: name,
          connectorType: source.type as ConnectorType,
          connectionMode: "Public",
          connectorProfileConfig: {
            connectorProfileProperties: { [source.key]: { instanceUrl } },
            connectorProfileCredentials: { [source.key]: creds },
          },
        }),
      );
      out.write(`connection ${name}: Connected\n`);
      return name;
    } catch (e) {
      out.write(`connection test failed: ${(e as Error).message}\n`);
      // Flags cannot change between tries: only a terminal can answer again.
      if (!prompter) throw e;
      const { instanceUrl: _url, credential: _creds, ...rest } = f;
      f = rest;
    }
  }
}

async function templateFields(api: ApiClients, templateId: string): Promise<string[]> {
  const t = await api.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: templateId }));
  const names = new Set<string>();
  for (const field of Object.values(t.Fields ?? {})) {
    const m = /^_source\.([\w.]+)$/.exec(field.Source ?? "");
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

function flowDefinition(p: {
  domain: string;
  source: (typeof SOURCES)[SourceName];
  connection: string;
  kmsArn: string;
  start: number;
  schedule: string;
  object: string;
  fields: string[];
}): FlowDefinition {
  const op = { [p.source.key]: "NO_OP" };
  const fields = p.fields.length > 0 ? p.fields : [p.source.cursor];
  return {
    FlowName: `${p.domain}-${p.source.key}-${p.object}`.replace(/[^\w!@#.-]/g, "-"),
    KmsArn: p.kmsArn,
    SourceFlowConfig: {
      ConnectorType: p.source.type,
      ConnectorProfileName: p.connection,
      IncrementalPullConfig: { DatetimeTypeFieldName: p.source.cursor },
      SourceConnectorProperties: { [p.source.key]: { Object: p.object } },
    },
    Tasks: [
      { TaskType: "Filter", SourceFields: fields, ConnectorOperator: { [p.source.key]: "PROJECTION" } },
      ...fields.map((s) => ({
        TaskType: "Map" as const,
        SourceFields: [s],
        DestinationField: s,
        ConnectorOperator: op,
      })),
    ],
    TriggerConfig: {
      TriggerType: "Scheduled",
      TriggerProperties: {
        Scheduled: {
          ScheduleExpression: p.schedule,
          DataPullMode: "Incremental",
          FirstExecutionFrom: new Date(p.start),
        },
      },
    },
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `profileflow integrate`: the seed's integration setup, by flags or prompts (in a terminal). */
export function registerIntegrate(program: Command): void {
  program
    .command("integrate")
    .description(
      "set up an integration: source, connection, objects, start date (>60 days back: a bulk workflow)",
    )
    .option(
      "--endpoint <url>",
      "profileflow API endpoint (default $PROFILEFLOW_ENDPOINT or http://127.0.0.1:4590)",
    )
    .option("--region <region>", "region to sign for (default us-east-1)")
    .option(
      "-d, --data <dir>",
      "the server's data directory, for its credentials file (default ./.profileflow)",
    )
    .option("--domain <name>", "Customer Profiles domain")
    .option("--source <source>", "salesforce | servicenow | marketo | zendesk")
    .option("--connection <name>", "use an existing connection (AppFlow connector profile)")
    .option("--new-connection <name>", "create a connection with this name (tested before it is saved)")
    .option("--instance-url <url>", "the new connection's instance URL")
    .option("--credential <key=value>", "a credential member of the new connection (repeat)", collect)
    .option("--objects <list>", "source objects, comma separated (default: every object with a template)")
    .option(
      "--object-type <object=type>",
      "object type for a source object (repeat; default its template)",
      collect,
    )
    .option("--start <date>", "ingestion start: YYYY-MM-DD or Nd back (default 30d)")
    .option("--role-arn <arn>", "role for the bulk workflow (start more than 60 days back)")
    .option("--kms-arn <arn>", "KmsArn of the flows (default the domain's key)")
    .option("--schedule <expr>", "continuous schedule (default rate(1hours))")
    .option("-y, --yes", "no confirmations")
    .action(async (flags: IntegrateFlags) => {
      const api = apiClients(flags);
      const prompter = process.stdin.isTTY ? new Prompter(process.stdin, process.stdout) : undefined;
      try {
        await integrate(api, flags, process.stdout, prompter);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        prompter?.close();
        api.close();
      }
    });
}
