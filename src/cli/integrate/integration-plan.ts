import {
  type FlowDefinition,
  GetProfileObjectTypeTemplateCommand,
  ListProfileObjectTypeTemplatesCommand,
} from "@aws-sdk/client-customer-profiles";
import type { ApiClients } from "./api-clients.ts";
import type { IntegrateFlags, Need, SOURCES, SourceName } from "./integrate-options.ts";
import type { Prompter } from "./prompter.ts";

/** One source object to integrate: its object type and the fields its flow projects. */
export interface ObjectPlan {
  object: string;
  objectType: string;
  fields: string[];
}

/** The seed's step 3: source objects and their object types, the source's templates by default. */
export async function planObjects(
  api: ApiClients,
  f: IntegrateFlags,
  source: (typeof SOURCES)[SourceName],
  prompter: Prompter | undefined,
  need: Need,
): Promise<ObjectPlan[]> {
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
  const plan: ObjectPlan[] = [];
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
  return plan;
}

/** The source fields a template maps (`_source.<field>`), to project and map in the flow. */
export async function templateFields(api: ApiClients, templateId: string): Promise<string[]> {
  const t = await api.profiles.send(new GetProfileObjectTypeTemplateCommand({ TemplateId: templateId }));
  const names = new Set<string>();
  for (const field of Object.values(t.Fields ?? {})) {
    const m = /^_source\.([\w.]+)$/.exec(field.Source ?? "");
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** The Scheduled Incremental flow of one source object, starting at the ingestion start date. */
export function flowDefinition(p: {
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
