import { serviceNowUsersFlow } from "../../helpers/servicenow-resources.ts";

/** The names the fixture creates before the fuzz starts (the valid inputs reach deep into the handlers). */
export interface Fixtures {
  domain: string;
  objectType: string;
  profileId: string;
  connectorProfile: string;
  flow: string;
  flowArn: string;
  sandboxUrl: string;
}

/** One operation as the fuzz knows it: where it is served and a valid input to start mutating from. */
export interface OpSpec {
  name: string;
  service: "profile" | "appflow" | "secretsmanager";
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path with `{Name}` placeholders, filled (raw, percent-encoded) from `params`. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  /** X-Amz-Target (Secrets Manager, awsJson 1.1). */
  target?: string;
}

/** Every served operation with a valid input; destructive ones name resources the fixture does not depend on. */
export function catalog(fx: Fixtures): OpSpec[] {
  const D = { DomainName: fx.domain };
  const objectType = {
    Description: "fuzzed",
    AllowProfileCreation: true,
    Fields: {
      id: { Source: "_source.id", Target: "_profile.Attributes.fid", ContentType: "STRING" },
      email: { Source: "_source.email", Target: "_profile.EmailAddress", ContentType: "EMAIL_ADDRESS" },
    },
    Keys: {
      _fid: [{ StandardIdentifiers: ["UNIQUE"], FieldNames: ["id"] }],
      _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["email"] }],
    },
  };
  const flow = {
    ...serviceNowUsersFlow("fz-flow-2", fx.connectorProfile, {
      domainName: fx.domain,
      objectTypeName: fx.objectType,
    }),
    tasks: [
      {
        taskType: "Filter",
        sourceFields: ["sys_id", "email"],
        connectorOperator: { ServiceNow: "PROJECTION" },
      },
    ],
  };
  const cp = (
    name: string,
    method: OpSpec["method"],
    path: string,
    o: Omit<OpSpec, "name" | "service" | "method" | "path"> = {},
  ): OpSpec => ({ name, service: "profile", method, path, ...o });
  const af = (name: string, path: string, body: Record<string, unknown>): OpSpec => ({
    name,
    service: "appflow",
    method: "POST",
    path,
    body,
  });
  const sm = (name: string, body: Record<string, unknown>): OpSpec => ({
    name,
    service: "secretsmanager",
    method: "POST",
    path: "/",
    target: `secretsmanager.${name}`,
    body,
  });
  return [
    cp("CreateDomain", "POST", "/domains/{DomainName}", {
      params: { DomainName: "fz-new" },
      body: { DefaultExpirationDays: 30, Tags: { a: "b" } },
    }),
    cp("GetDomain", "GET", "/domains/{DomainName}", { params: D }),
    cp("UpdateDomain", "PUT", "/domains/{DomainName}", { params: D, body: { DefaultExpirationDays: 31 } }),
    cp("ListDomains", "GET", "/domains", { query: { "max-results": "10" } }),
    cp("DeleteDomain", "DELETE", "/domains/{DomainName}", { params: { DomainName: "fz-absent" } }),
    cp("PutProfileObjectType", "PUT", "/domains/{DomainName}/object-types/{ObjectTypeName}", {
      params: { ...D, ObjectTypeName: "FuzzType" },
      body: objectType,
    }),
    cp("GetProfileObjectType", "GET", "/domains/{DomainName}/object-types/{ObjectTypeName}", {
      params: { ...D, ObjectTypeName: fx.objectType },
    }),
    cp("ListProfileObjectTypes", "GET", "/domains/{DomainName}/object-types", {
      params: D,
      query: { "max-results": "5" },
    }),
    cp("DeleteProfileObjectType", "DELETE", "/domains/{DomainName}/object-types/{ObjectTypeName}", {
      params: { ...D, ObjectTypeName: "FzAbsent" },
    }),
    cp("ListProfileObjectTypeTemplates", "GET", "/templates"),
    cp("GetProfileObjectTypeTemplate", "GET", "/templates/{TemplateId}", {
      params: { TemplateId: "Salesforce-Contact" },
    }),
    cp("CreateProfile", "POST", "/domains/{DomainName}/profiles", {
      params: D,
      body: {
        FirstName: "Ada",
        EmailAddress: "ada@example.com",
        Address: { City: "London" },
        Attributes: { a: "1" },
      },
    }),
    cp("UpdateProfile", "PUT", "/domains/{DomainName}/profiles", {
      params: D,
      body: { ProfileId: fx.profileId, LastName: "Lovelace", Attributes: { b: "2" } },
    }),
    cp("DeleteProfile", "POST", "/domains/{DomainName}/profiles/delete", {
      params: D,
      body: { ProfileId: "0".repeat(32) },
    }),
    cp("SearchProfiles", "POST", "/domains/{DomainName}/profiles/search", {
      params: D,
      query: { "max-results": "10" },
      body: { KeyName: "_email", Values: ["ada@example.com", "bob@example.com"] },
    }),
    cp("BatchGetProfile", "POST", "/domains/{DomainName}/batch-get-profiles", {
      params: D,
      body: { ProfileIds: [fx.profileId, "0".repeat(32)] },
    }),
    cp("AddProfileKey", "POST", "/domains/{DomainName}/profiles/keys", {
      params: D,
      body: { ProfileId: fx.profileId, KeyName: "_email", Values: ["ada2@example.com"] },
    }),
    cp("DeleteProfileKey", "POST", "/domains/{DomainName}/profiles/keys/delete", {
      params: D,
      body: { ProfileId: fx.profileId, KeyName: "_email", Values: ["absent@example.com"] },
    }),
    cp("PutProfileObject", "PUT", "/domains/{DomainName}/profiles/objects", {
      params: D,
      body: {
        ObjectTypeName: fx.objectType,
        Object: JSON.stringify({ id: "o-1", email: "ada@example.com" }),
      },
    }),
    cp("ListProfileObjects", "POST", "/domains/{DomainName}/profiles/objects", {
      params: D,
      query: { "max-results": "10" },
      body: { ObjectTypeName: fx.objectType, ProfileId: fx.profileId },
    }),
    cp("DeleteProfileObject", "POST", "/domains/{DomainName}/profiles/objects/delete", {
      params: D,
      body: { ProfileId: fx.profileId, ProfileObjectUniqueKey: "absent", ObjectTypeName: fx.objectType },
    }),
    cp("MergeProfiles", "POST", "/domains/{DomainName}/profiles/objects/merge", {
      params: D,
      body: { MainProfileId: fx.profileId, ProfileIdsToBeMerged: ["0".repeat(32)] },
    }),
    cp("ListProfileHistoryRecords", "POST", "/domains/{DomainName}/profiles/history-records", {
      params: D,
      body: { ProfileId: fx.profileId },
    }),
    cp("GetProfileHistoryRecord", "GET", "/domains/{DomainName}/profiles/{ProfileId}/history-records/{Id}", {
      params: { ...D, ProfileId: fx.profileId, Id: "0".repeat(32) },
    }),
    cp("PutIntegration", "PUT", "/domains/{DomainName}/integrations", {
      params: D,
      body: { Uri: fx.flowArn, ObjectTypeName: fx.objectType },
    }),
    cp("GetIntegration", "POST", "/domains/{DomainName}/integrations", {
      params: D,
      body: { Uri: fx.flowArn },
    }),
    cp("ListIntegrations", "GET", "/domains/{DomainName}/integrations", { params: D }),
    cp("ListAccountIntegrations", "POST", "/integrations", { body: { Uri: fx.flowArn } }),
    cp("DeleteIntegration", "POST", "/domains/{DomainName}/integrations/delete", {
      params: D,
      body: { Uri: "arn:aws:appflow:us-east-1:000000000000:flow/fz-absent" },
    }),
    cp("ListWorkflows", "POST", "/domains/{DomainName}/workflows", { params: D, body: {} }),
    cp("GetWorkflow", "GET", "/domains/{DomainName}/workflows/{WorkflowId}", {
      params: { ...D, WorkflowId: "00000000-0000-0000-0000-000000000000" },
    }),
    cp("CreateIntegrationWorkflow", "POST", "/domains/{DomainName}/workflows/integrations", {
      params: D,
      body: {
        WorkflowType: "APPFLOW_INTEGRATION",
        ObjectTypeName: fx.objectType,
        RoleArn: "arn:aws:iam::000000000000:role/CustomerProfilesWorkflow",
        IntegrationConfig: {
          AppflowIntegration: {
            FlowDefinition: {
              FlowName: "fz-wf",
              KmsArn: "arn:aws:kms:us-east-1:000000000000:key/workflow",
              SourceFlowConfig: {
                ConnectorType: "Servicenow",
                ConnectorProfileName: "fz-absent",
                SourceConnectorProperties: { ServiceNow: { Object: "sys_user" } },
              },
              Tasks: [{ TaskType: "Map_all", SourceFields: [], TaskProperties: {} }],
              TriggerConfig: { TriggerType: "OnDemand" },
            },
          },
        },
      },
    }),
    cp("TagResource", "POST", "/tags/{resourceArn}", {
      params: { resourceArn: `arn:aws:profile:us-east-1:000000000000:domains/${fx.domain}` },
      body: { tags: { k: "v" } },
    }),
    cp("ListTagsForResource", "GET", "/tags/{resourceArn}", {
      params: { resourceArn: `arn:aws:profile:us-east-1:000000000000:domains/${fx.domain}` },
    }),
    cp("UntagResource", "DELETE", "/tags/{resourceArn}", {
      params: { resourceArn: `arn:aws:profile:us-east-1:000000000000:domains/${fx.domain}` },
      query: { tagKeys: "absent" },
    }),
    af("CreateFlow", "/create-flow", { ...flow, clientToken: "fz-token" }),
    af("UpdateFlow", "/update-flow", { ...flow, flowName: fx.flow }),
    af("DescribeFlow", "/describe-flow", { flowName: fx.flow }),
    af("ListFlows", "/list-flows", { maxResults: 10 }),
    af("DeleteFlow", "/delete-flow", { flowName: "fz-absent" }),
    af("StopFlow", "/stop-flow", { flowName: fx.flow }),
    af("DescribeFlowExecutionRecords", "/describe-flow-execution-records", {
      flowName: fx.flow,
      maxResults: 5,
    }),
    af("CancelFlowExecutions", "/cancel-flow-executions", { flowName: fx.flow, executionIds: ["absent"] }),
    af("DescribeConnectors", "/describe-connectors", { connectorTypes: ["Servicenow"] }),
    af("DescribeConnector", "/describe-connector", { connectorType: "Servicenow" }),
    af("ListConnectorEntities", "/list-connector-entities", { connectorType: "Servicenow" }),
    af("DescribeConnectorEntity", "/describe-connector-entity", {
      connectorProfileName: fx.connectorProfile,
      connectorEntityName: "sys_user",
    }),
    af("CreateConnectorProfile", "/create-connector-profile", {
      connectorProfileName: "fz-sn-2",
      connectorType: "Servicenow",
      connectionMode: "Public",
      connectorProfileConfig: {
        connectorProfileProperties: { ServiceNow: { instanceUrl: fx.sandboxUrl } },
        connectorProfileCredentials: { ServiceNow: { username: "wrong", password: "wrong" } },
      },
    }),
    af("UpdateConnectorProfile", "/update-connector-profile", {
      connectorProfileName: fx.connectorProfile,
      connectionMode: "Public",
      connectorProfileConfig: {
        connectorProfileProperties: { ServiceNow: { instanceUrl: fx.sandboxUrl } },
        connectorProfileCredentials: { ServiceNow: { username: "wrong", password: "wrong" } },
      },
    }),
    af("DescribeConnectorProfiles", "/describe-connector-profiles", {
      connectorProfileNames: [fx.connectorProfile],
    }),
    af("DeleteConnectorProfile", "/delete-connector-profile", { connectorProfileName: "fz-absent" }),
    sm("CreateSecret", { Name: "fz-secret", SecretString: "s3cr3t" }),
    sm("GetSecretValue", { SecretId: "fz-absent" }),
    sm("DescribeSecret", { SecretId: "fz-absent" }),
    sm("PutSecretValue", { SecretId: "fz-absent", SecretString: "x" }),
    sm("DeleteSecret", { SecretId: "fz-absent", ForceDeleteWithoutRecovery: true }),
  ];
}

/** Whether a request may change stored state when it succeeds: a writing operation, or a read sent with another method. */
export function isMutating(op: OpSpec, method: string): boolean {
  return method !== op.method || !/^(Get|List|Describe|Search|BatchGet)/.test(op.name);
}
