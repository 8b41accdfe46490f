import { z } from "zod";
import { taskTypeSchema } from "../../flows/flow-definition-codec.ts";

/** Members of CreateFlow/UpdateFlow as the AppFlow model constrains them (camelCase, epoch-second timestamps). */
export const flowName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9][\w!@#.-]+$/, "must match [a-zA-Z0-9][\\w!@#.-]+");
export const connectorProfileName = z
  .string()
  .max(256)
  .regex(/^[\w/!@#+=.-]+$/, "must match [\\w/!@#+=.-]+");
export const sourceConnectorType = z.enum(["Salesforce", "Servicenow", "Marketo", "Zendesk"], {
  message: "must be one of Salesforce, Servicenow, Marketo, Zendesk (the sources profileflow reads)",
});
const epochSeconds = z.number().nonnegative();
const objectName = z.string().max(512).regex(/^\S+$/, "must not contain whitespace");

export const triggerConfig = z
  .object({
    triggerType: z.enum(["Scheduled", "Event", "OnDemand"]),
    triggerProperties: z
      .object({
        Scheduled: z
          .object({
            scheduleExpression: z.string().min(1).max(256),
            dataPullMode: z.enum(["Incremental", "Complete"]).exactOptional(),
            scheduleStartTime: epochSeconds.exactOptional(),
            scheduleEndTime: epochSeconds.exactOptional(),
            timezone: z.string().max(256).exactOptional(),
            scheduleOffset: z.number().int().min(0).max(36000).exactOptional(),
            firstExecutionFrom: epochSeconds.exactOptional(),
            flowErrorDeactivationThreshold: z.number().int().min(1).max(100).exactOptional(),
          })
          .strict()
          .exactOptional(),
      })
      .strict()
      .exactOptional(),
  })
  .strict();

export const sourceFlowConfig = z
  .object({
    connectorType: sourceConnectorType,
    apiVersion: z.string().max(256).exactOptional(),
    connectorProfileName: connectorProfileName.exactOptional(),
    sourceConnectorProperties: z
      .object({
        Salesforce: z
          .object({
            object: objectName,
            enableDynamicFieldUpdate: z.boolean().exactOptional(),
            includeDeletedRecords: z.boolean().exactOptional(),
            dataTransferApi: z.enum(["AUTOMATIC", "BULKV2", "REST_SYNC"]).exactOptional(),
          })
          .strict()
          .exactOptional(),
        ServiceNow: z.object({ object: objectName }).strict().exactOptional(),
        Marketo: z.object({ object: objectName }).strict().exactOptional(),
        Zendesk: z.object({ object: objectName }).strict().exactOptional(),
      })
      .strict(),
    incrementalPullConfig: z
      .object({ datetimeTypeFieldName: z.string().max(256).exactOptional() })
      .strict()
      .exactOptional(),
  })
  .strict();

export const destinationFlowConfigList = z
  .array(
    z
      .object({
        connectorType: z.literal("CustomerProfiles", {
          message: "must be CustomerProfiles (the only destination profileflow writes)",
        }),
        apiVersion: z.string().exactOptional(),
        connectorProfileName: connectorProfileName.exactOptional(),
        destinationConnectorProperties: z
          .object({
            CustomerProfiles: z
              .object({
                domainName: z
                  .string()
                  .min(1)
                  .max(64)
                  .regex(/^[a-zA-Z0-9_-]+$/),
                // Optional in AppFlow's model, required here: the flow's records are mapped by this object
                // type, and nothing else (PutIntegration with a Uri does not) supplies one to the run.
                objectTypeName: z.string().min(1).max(255).regex(/^\S+$/, "must not contain whitespace"),
              })
              .strict(),
          })
          .strict(),
      })
      .strict(),
  )
  .length(1, "must hold exactly one destination");

const operator = z.string().min(1).max(64);
export const task = z
  .object({
    sourceFields: z.array(z.string().max(2048)),
    connectorOperator: z
      .object({
        Salesforce: operator.exactOptional(),
        ServiceNow: operator.exactOptional(),
        Marketo: operator.exactOptional(),
        Zendesk: operator.exactOptional(),
      })
      .strict()
      .exactOptional(),
    destinationField: z.string().max(256).exactOptional(),
    taskType: taskTypeSchema,
    taskProperties: z.record(z.string(), z.string().max(2048)).exactOptional(),
  })
  .strict();

const tags = z.record(z.string().min(1).max(128), z.string().max(256));

export const createFlowInput = z
  .object({
    flowName,
    description: z.string().max(2048).optional(),
    kmsArn: z
      .string()
      .min(20)
      .max(2048)
      .regex(/^arn:aws:kms:.*:[0-9]+:.*/)
      .optional(),
    triggerConfig,
    sourceFlowConfig,
    destinationFlowConfigList,
    tasks: z.array(task),
    tags: tags.optional(),
    metadataCatalogConfig: z.unknown().optional(),
    clientToken: z.string().min(1).max(256).optional(),
  })
  .strict();

export const updateFlowInput = createFlowInput.omit({ kmsArn: true, tags: true });
