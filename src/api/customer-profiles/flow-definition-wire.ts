import { z } from "zod";
import type {
  FlowDefinition,
  ScheduledTriggerProperties,
  SourceFlowConfig,
  Task,
} from "../../flows/flow-definition.ts";

/** FlowDefinition as Customer Profiles takes it (PascalCase twin of CreateFlow, no destination). */
const operator = z.string().min(1).max(64);
export const flowDefinitionInput = z
  .object({
    Description: z
      .string()
      .max(2048)
      .regex(/^[\w!@#\-.?,\s]*$/)
      .optional(),
    FlowName: z
      .string()
      .max(256)
      .regex(/^[a-zA-Z0-9][\w!@#.-]+$/, "must match [a-zA-Z0-9][\\w!@#.-]+"),
    KmsArn: z
      .string()
      .min(20)
      .max(2048)
      .regex(/^arn:aws:kms:.*:[0-9]+:.*/, "must be a KMS key ARN"),
    SourceFlowConfig: z
      .object({
        ConnectorProfileName: z
          .string()
          .max(256)
          .regex(/^[\w/!@#+=.-]+$/)
          .optional(),
        ConnectorType: z.enum(["Salesforce", "Marketo", "Zendesk", "Servicenow"], {
          message: "must be Salesforce, Marketo, Zendesk or Servicenow",
        }),
        IncrementalPullConfig: z
          .object({ DatetimeTypeFieldName: z.string().max(256).optional() })
          .strict()
          .optional(),
        SourceConnectorProperties: z
          .object({
            Salesforce: z
              .object({
                Object: z.string().max(512),
                EnableDynamicFieldUpdate: z.boolean().optional(),
                IncludeDeletedRecords: z.boolean().optional(),
              })
              .strict()
              .optional(),
            ServiceNow: z
              .object({ Object: z.string().max(512) })
              .strict()
              .optional(),
            Marketo: z
              .object({ Object: z.string().max(512) })
              .strict()
              .optional(),
            Zendesk: z
              .object({ Object: z.string().max(512) })
              .strict()
              .optional(),
          })
          .strict(),
      })
      .strict(),
    Tasks: z.array(
      z
        .object({
          ConnectorOperator: z
            .object({ Salesforce: operator, ServiceNow: operator, Marketo: operator, Zendesk: operator })
            .partial()
            .strict()
            .optional(),
          DestinationField: z.string().max(256).optional(),
          SourceFields: z.array(z.string().max(2048)),
          TaskProperties: z.record(z.string(), z.string().max(2048)).optional(),
          TaskType: z.enum(["Arithmetic", "Filter", "Map", "Mask", "Merge", "Truncate", "Validate"]),
        })
        .strict(),
    ),
    TriggerConfig: z
      .object({
        TriggerType: z.enum(["Scheduled", "Event", "OnDemand"]),
        TriggerProperties: z
          .object({
            Scheduled: z
              .object({
                ScheduleExpression: z.string().min(1).max(256),
                DataPullMode: z.enum(["Incremental", "Complete"]).optional(),
                ScheduleStartTime: z.number().optional(),
                ScheduleEndTime: z.number().optional(),
                Timezone: z.string().max(256).optional(),
                ScheduleOffset: z.number().int().min(0).max(36000).optional(),
                FirstExecutionFrom: z.number().optional(),
              })
              .strict()
              .optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

export type FlowDefinitionInput = z.infer<typeof flowDefinitionInput>;

const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
/** `{ [key]: value }` when `value` is defined, else `{}`: optional members stay absent (exactOptionalPropertyTypes). */
function some<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  const out: Partial<Record<K, V>> = {};
  if (value !== undefined) out[key] = value;
  return out;
}

type WireScheduled = NonNullable<
  NonNullable<FlowDefinitionInput["TriggerConfig"]["TriggerProperties"]>["Scheduled"]
>;

/** The Scheduled trigger's properties in epoch ms. */
function scheduledOf(w: WireScheduled): ScheduledTriggerProperties {
  return {
    scheduleExpression: w.ScheduleExpression,
    ...some("dataPullMode", w.DataPullMode),
    ...some("scheduleStartTime", ms(w.ScheduleStartTime)),
    ...some("scheduleEndTime", ms(w.ScheduleEndTime)),
    ...some("timezone", w.Timezone),
    ...some("scheduleOffset", w.ScheduleOffset),
    ...some("firstExecutionFrom", ms(w.FirstExecutionFrom)),
  };
}

/** The source: connector, profile, object per connector, incremental field. */
function sourceOf(w: FlowDefinitionInput["SourceFlowConfig"]): SourceFlowConfig {
  const p = w.SourceConnectorProperties;
  return {
    connectorType: w.ConnectorType,
    ...some("connectorProfileName", w.ConnectorProfileName),
    sourceConnectorProperties: {
      ...(p.Salesforce
        ? {
            Salesforce: {
              object: p.Salesforce.Object,
              ...some("includeDeletedRecords", p.Salesforce.IncludeDeletedRecords),
              ...some("enableDynamicFieldUpdate", p.Salesforce.EnableDynamicFieldUpdate),
            },
          }
        : {}),
      ...(p.ServiceNow ? { ServiceNow: { object: p.ServiceNow.Object } } : {}),
      ...(p.Marketo ? { Marketo: { object: p.Marketo.Object } } : {}),
      ...(p.Zendesk ? { Zendesk: { object: p.Zendesk.Object } } : {}),
    },
    ...(w.IncrementalPullConfig
      ? {
          incrementalPullConfig: {
            ...some("datetimeTypeFieldName", w.IncrementalPullConfig.DatetimeTypeFieldName),
          },
        }
      : {}),
  };
}

type WireOperators = NonNullable<FlowDefinitionInput["Tasks"][number]["ConnectorOperator"]>;

/** A task's connector operators, one per connector given. */
function operatorsOf(o: WireOperators): NonNullable<Task["connectorOperator"]> {
  return {
    ...some("Salesforce", o.Salesforce),
    ...some("ServiceNow", o.ServiceNow),
    ...some("Marketo", o.Marketo),
    ...some("Zendesk", o.Zendesk),
  };
}

/** A Customer Profiles FlowDefinition as the engine's flow, writing into `domainName` / `objectTypeName`. */
export function toFlowDefinition(
  d: FlowDefinitionInput,
  domainName: string,
  objectTypeName: string,
): FlowDefinition {
  const sched = d.TriggerConfig.TriggerProperties?.Scheduled;
  return {
    flowName: d.FlowName,
    ...some("description", d.Description),
    kmsArn: d.KmsArn,
    triggerConfig: {
      triggerType: d.TriggerConfig.TriggerType,
      ...(sched ? { triggerProperties: { Scheduled: scheduledOf(sched) } } : {}),
    },
    sourceFlowConfig: sourceOf(d.SourceFlowConfig),
    destinationFlowConfigList: [
      {
        connectorType: "CustomerProfiles",
        destinationConnectorProperties: { CustomerProfiles: { domainName, objectTypeName } },
      },
    ],
    tasks: d.Tasks.map(
      (t): Task => ({
        taskType: t.TaskType,
        sourceFields: t.SourceFields,
        ...(t.ConnectorOperator ? { connectorOperator: operatorsOf(t.ConnectorOperator) } : {}),
        ...(t.DestinationField ? { destinationField: t.DestinationField } : {}),
        ...(t.TaskProperties ? { taskProperties: t.TaskProperties } : {}),
      }),
    ),
  };
}
