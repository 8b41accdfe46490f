import type * as CP from "@aws-sdk/client-customer-profiles";

/** Where a historical APPFLOW_INTEGRATION workflow reads from. */
export interface WorkflowSource {
  /** AppFlow connector type. */
  readonly connectorType: "Salesforce" | "Servicenow" | "Marketo" | "Zendesk";
  /** The key of its SourceConnectorProperties and ConnectorOperator ("ServiceNow" for "Servicenow"). */
  readonly propertyKey: "Salesforce" | "ServiceNow" | "Marketo" | "Zendesk";
  readonly connectorProfileName: string;
  readonly object: string;
  /** The incremental pull's datetime field. */
  readonly cursorField: string;
  /** The fields the flow projects and maps as they are. */
  readonly fields: readonly string[];
}

/** A Filter (PROJECTION) of `fields` and one NO_OP Map per field: the flow copies those fields as they are. */
export function projectionTasks(
  propertyKey: WorkflowSource["propertyKey"],
  fields: readonly string[],
): CP.Task[] {
  return [
    { TaskType: "Filter", SourceFields: [...fields], ConnectorOperator: { [propertyKey]: "PROJECTION" } },
    ...fields.map((f) => ({
      TaskType: "Map" as const,
      SourceFields: [f],
      DestinationField: f,
      ConnectorOperator: { [propertyKey]: "NO_OP" },
    })),
  ] as CP.Task[];
}

/**
 * CreateIntegrationWorkflow of an hourly incremental flow over `source` into `domain`'s `objectType`, its
 * history from `first` (steps planned at creation, or `batches` when given).
 */
export function appflowWorkflow(o: {
  domain: string;
  objectType: string;
  flowName: string;
  source: WorkflowSource;
  first: Date;
  batches?: CP.Batch[];
  /** The flow's KmsArn: the domain's key (GetDomain's DefaultEncryptionKey), as AWS requires. */
  kmsArn: string;
  /** The role the workflow acts as: it must exist and trust profile.amazonaws.com (test/helpers/workflow-role.ts). */
  roleArn: string;
}): CP.CreateIntegrationWorkflowCommandInput {
  const s = o.source;
  return {
    DomainName: o.domain,
    WorkflowType: "APPFLOW_INTEGRATION",
    ObjectTypeName: o.objectType,
    RoleArn: o.roleArn,
    IntegrationConfig: {
      AppflowIntegration: {
        ...(o.batches ? { Batches: o.batches } : {}),
        FlowDefinition: {
          FlowName: o.flowName,
          KmsArn: o.kmsArn,
          SourceFlowConfig: {
            ConnectorType: s.connectorType,
            ConnectorProfileName: s.connectorProfileName,
            IncrementalPullConfig: { DatetimeTypeFieldName: s.cursorField },
            SourceConnectorProperties: { [s.propertyKey]: { Object: s.object } },
          },
          Tasks: projectionTasks(s.propertyKey, s.fields),
          TriggerConfig: {
            TriggerType: "Scheduled",
            TriggerProperties: {
              Scheduled: {
                ScheduleExpression: "rate(1hours)",
                DataPullMode: "Incremental",
                FirstExecutionFrom: o.first,
              },
            },
          },
        },
      },
    },
  };
}
