import { DescribeConnectorEntityCommand } from "@aws-sdk/client-appflow";
import {
  CreateIntegrationWorkflowCommand,
  type FlowDefinition,
  GetDomainCommand,
  GetProfileObjectTypeCommand,
  GetProfileObjectTypeTemplateCommand,
  type ObjectTypeField,
  PutIntegrationCommand,
  PutProfileObjectTypeCommand,
} from "@aws-sdk/client-customer-profiles";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import type { Clients } from "../../aws.ts";
import { REGION } from "../../session.ts";
import { mappingObjectType } from "./mapping.ts";
import type { Source } from "./sources.ts";
import type { ObjectPlan, RoleChoice } from "./wizard-state.ts";
import {
  fillWorkflowRolePolicy,
  WORKFLOW_ROLE_POLICY_NAME,
  WORKFLOW_ROLE_TRUST_POLICY,
} from "./workflow-role-policy.ts";

/** The key a domain without its own key is given in flow definitions (as `profileflow integrate` does). */
export const FALLBACK_KMS_ARN = "arn:aws:kms:us-east-1:000000000000:key/profileflow-domain-key";

/** The domain's KMS key: flows encrypt with it and the bulk role may use only it. */
export async function domainKeyArn(c: Clients, domain: string): Promise<string> {
  const d = await c.profiles.send(new GetDomainCommand({ DomainName: domain }));
  return d.DefaultEncryptionKey?.startsWith("arn:aws:kms:") ? d.DefaultEncryptionKey : FALLBACK_KMS_ARN;
}

/** What was created for one source object. */
export interface Created {
  object: string;
  objectType: string;
  flowName: string;
  /** Set for a bulk workflow; otherwise a continuous integration (PutIntegration). */
  workflowId?: string;
  message?: string;
}

export interface CreateRequest {
  domain: string;
  source: Source;
  connection: string;
  objects: ObjectPlan[];
  start: number;
  bulk: boolean;
  role: RoleChoice | undefined;
  keyArn: string;
}

/** The source fields an object type maps (`_source.<field>`): the fields the flow projects. */
function sourceFields(fields: Record<string, ObjectTypeField> | undefined): string[] {
  const names = new Set<string>();
  for (const f of Object.values(fields ?? {})) {
    const m = /^_source\.([\w.]+)$/.exec(f.Source ?? "");
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** The object type of a plan (saving a mapping with PutProfileObjectType) and the fields it reads. */
async function objectTypeOf(
  c: Clients,
  domain: string,
  p: ObjectPlan,
): Promise<{ name: string; fields: string[] }> {
  const choice = p.choice;
  if (!choice) throw new Error(`No object type chosen for ${p.object}.`);
  if (choice.kind === "template") {
    const t = await c.profiles.send(
      new GetProfileObjectTypeTemplateCommand({ TemplateId: choice.templateId }),
    );
    return { name: choice.templateId, fields: sourceFields(t.Fields) };
  }
  if (choice.kind === "existing") {
    const t = await c.profiles.send(
      new GetProfileObjectTypeCommand({ DomainName: domain, ObjectTypeName: choice.objectTypeName }),
    );
    return { name: choice.objectTypeName, fields: sourceFields(t.Fields) };
  }
  await c.profiles.send(
    new PutProfileObjectTypeCommand(mappingObjectType(domain, choice.objectTypeName, p.object, choice.rows)),
  );
  return { name: choice.objectTypeName, fields: choice.rows.map((r) => r.source) };
}

/**
 * The field an object is read incrementally by: the one DescribeConnectorEntity marks
 * isTimestampFieldForIncrementalQueries (Zendesk tickets: generated_timestamp), else the source's usual one.
 */
async function cursorOf(c: Clients, r: CreateRequest, object: string): Promise<string> {
  const d = await c.appflow.send(
    new DescribeConnectorEntityCommand({ connectorProfileName: r.connection, connectorEntityName: object }),
  );
  const marked = (d.connectorEntityFields ?? []).find(
    (f) => f.sourceProperties?.isTimestampFieldForIncrementalQueries,
  );
  return marked?.identifier ?? r.source.cursor;
}

/** The Scheduled Incremental flow of one source object from the start date (the CLI's flowDefinition). */
export function flowDefinition(
  r: CreateRequest,
  object: string,
  fields: string[],
  cursor: string = r.source.cursor,
): FlowDefinition {
  const key = r.source.key;
  const projected = [...new Set([...fields, cursor])];
  return {
    FlowName: `${r.domain}-${key}-${object}`.replace(/[^\w!@#.-]/g, "-").slice(0, 256),
    KmsArn: r.keyArn,
    SourceFlowConfig: {
      ConnectorType: r.source.type,
      ConnectorProfileName: r.connection,
      IncrementalPullConfig: { DatetimeTypeFieldName: cursor },
      SourceConnectorProperties: { [key]: { Object: object } },
    },
    Tasks: [
      { TaskType: "Filter", SourceFields: projected, ConnectorOperator: { [key]: "PROJECTION" } },
      ...projected.map((s) => ({
        TaskType: "Map" as const,
        SourceFields: [s],
        DestinationField: s,
        ConnectorOperator: { [key]: "NO_OP" },
      })),
    ],
    TriggerConfig: {
      TriggerType: "Scheduled",
      TriggerProperties: {
        Scheduled: {
          ScheduleExpression: "rate(1hours)",
          DataPullMode: "Incremental",
          FirstExecutionFrom: new Date(r.start),
        },
      },
    },
  };
}

/** Creates the workflow's role: trusted by profile.amazonaws.com, the seed's policy for the domain's key. */
export async function createRole(c: Clients, name: string, domain: string, keyArn: string): Promise<string> {
  const created = await c.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: WORKFLOW_ROLE_TRUST_POLICY,
      Description: `Customer Profiles integration workflows of domain ${domain} (console)`,
    }),
  );
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: WORKFLOW_ROLE_POLICY_NAME,
      PolicyDocument: fillWorkflowRolePolicy(keyArn, REGION),
    }),
  );
  const arn = created.Role?.Arn;
  if (!arn) throw new Error("CreateRole returned no role ARN.");
  return arn;
}

/**
 * Create integration: object types of new mappings, the role (bulk, when asked to create one), then per
 * object a CreateIntegrationWorkflow (bulk: 2-month batches, then continuous) or a PutIntegration.
 * `onCreated` hears each one as it is made, so a failure half-way still shows what exists.
 */
export async function createIntegrations(
  c: Clients,
  r: CreateRequest,
  onCreated: (x: Created) => void,
): Promise<void> {
  const types = [];
  for (const p of r.objects)
    types.push({
      object: p.object,
      cursor: await cursorOf(c, r, p.object),
      ...(await objectTypeOf(c, r.domain, p)),
    });
  let roleArn: string | undefined;
  if (r.bulk) {
    if (!r.role) throw new Error("A bulk integration needs an IAM role.");
    roleArn = r.role.kind === "create" ? await createRole(c, r.role.name, r.domain, r.keyArn) : r.role.arn;
  }
  for (const t of types) {
    const flow = flowDefinition(r, t.object, t.fields, t.cursor);
    if (r.bulk && roleArn) {
      const w = await c.profiles.send(
        new CreateIntegrationWorkflowCommand({
          DomainName: r.domain,
          WorkflowType: "APPFLOW_INTEGRATION",
          ObjectTypeName: t.name,
          RoleArn: roleArn,
          IntegrationConfig: { AppflowIntegration: { FlowDefinition: flow } },
        }),
      );
      onCreated({
        object: t.object,
        objectType: t.name,
        flowName: flow.FlowName!,
        ...(w.WorkflowId ? { workflowId: w.WorkflowId } : {}),
        ...(w.Message ? { message: w.Message } : {}),
      });
    } else {
      await c.profiles.send(
        new PutIntegrationCommand({ DomainName: r.domain, ObjectTypeName: t.name, FlowDefinition: flow }),
      );
      onCreated({ object: t.object, objectType: t.name, flowName: flow.FlowName! });
    }
  }
}
