import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";
import type { FlowDefinition, ScheduledTriggerProperties, Task } from "./flow-definition.ts";

const object = z.object({ object: z.string() });
const connector = z.enum(["Salesforce", "ServiceNow", "Marketo", "Zendesk"]);

const scheduled: z.ZodType<ScheduledTriggerProperties> = z.object({
  scheduleExpression: z.string(),
  dataPullMode: z.enum(["Incremental", "Complete"]).exactOptional(),
  scheduleStartTime: z.number().exactOptional(),
  scheduleEndTime: z.number().exactOptional(),
  firstExecutionFrom: z.number().exactOptional(),
  timezone: z.string().exactOptional(),
  scheduleOffset: z.number().exactOptional(),
  flowErrorDeactivationThreshold: z.number().exactOptional(),
});

/** A task's type: the values AppFlow's Task.taskType takes. */
export const taskTypeSchema = z.enum([
  "Arithmetic",
  "Filter",
  "Map",
  "Map_all",
  "Mask",
  "Merge",
  "Passthrough",
  "Truncate",
  "Validate",
  "Partition",
]);

const task: z.ZodType<Task> = z.object({
  taskType: taskTypeSchema,
  sourceFields: z.array(z.string()),
  connectorOperator: z.partialRecord(connector, z.string()).exactOptional(),
  destinationField: z.string().exactOptional(),
  taskProperties: z.record(z.string(), z.string()).exactOptional(),
});

/** The stored FlowDefinition (src/flows/flow-definition.ts), checked member by member. */
export const flowDefinitionSchema: z.ZodType<FlowDefinition> = z.object({
  flowName: z.string(),
  description: z.string().exactOptional(),
  kmsArn: z.string().exactOptional(),
  triggerConfig: z.object({
    triggerType: z.enum(["Scheduled", "Event", "OnDemand"]),
    triggerProperties: z.object({ Scheduled: scheduled.exactOptional() }).exactOptional(),
  }),
  sourceFlowConfig: z.object({
    connectorType: z.enum(["Salesforce", "Servicenow", "Marketo", "Zendesk"]),
    connectorProfileName: z.string().exactOptional(),
    apiVersion: z.string().exactOptional(),
    sourceConnectorProperties: z.object({
      Salesforce: z
        .object({
          object: z.string(),
          includeDeletedRecords: z.boolean().exactOptional(),
          enableDynamicFieldUpdate: z.boolean().exactOptional(),
          dataTransferApi: z.enum(["AUTOMATIC", "BULKV2", "REST_SYNC"]).exactOptional(),
        })
        .exactOptional(),
      ServiceNow: object.exactOptional(),
      Marketo: object.exactOptional(),
      Zendesk: object.exactOptional(),
    }),
    incrementalPullConfig: z.object({ datetimeTypeFieldName: z.string().exactOptional() }).exactOptional(),
  }),
  destinationFlowConfigList: z.array(
    z.object({
      connectorType: z.literal("CustomerProfiles"),
      destinationConnectorProperties: z.object({
        CustomerProfiles: z.object({ domainName: z.string(), objectTypeName: z.string().exactOptional() }),
      }),
    }),
  ),
  tasks: z.array(task),
});

/** `flows.definition`. */
export const flowDefinitionColumn = jsonColumn("flows", "definition", flowDefinitionSchema);
/** `workflows.flow_definition`: the definition a workflow's continuous integration is created from. */
export const workflowFlowDefinitionColumn = jsonColumn("workflows", "flow_definition", flowDefinitionSchema);
