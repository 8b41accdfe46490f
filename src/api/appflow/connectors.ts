import { z } from "zod";
import type {
  Connector,
  ConnectorProfileConfig,
  ConnectorSpec,
  ObjectDescription,
} from "../../connectors/sdk/index.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { SourceConnectorType } from "../../flows/flow-definition.ts";
import { supportedOperators } from "../../flows/validate-tasks.ts";
import type { ConnectorProfileService } from "../../services/connector-profile-service.ts";
import { postOperation, type ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { fieldTypeDetails } from "./field-type-details.ts";
import { connectorProfileName, sourceConnectorType } from "./flow-schema.ts";

export interface ConnectorOperationsDeps {
  /** The built connector for an AppFlow connector type. */
  connectorFor: (type: string) => ConnectorSpec | undefined;
  profiles: Pick<ConnectorProfileService, "require">;
  /** Opens a saved connection (credentials resolved through the secret store). */
  resolve: (profileName: string) => Promise<ConnectorProfileConfig>;
}

const types = ["Salesforce", "Servicenow", "Marketo", "Zendesk"] as const;

/** AppFlow's ConnectorConfiguration for one source, from the connector's spec. */
function configuration(type: (typeof types)[number], spec: ConnectorSpec) {
  return {
    canUseAsSource: true,
    canUseAsDestination: false,
    supportedDestinationConnectors: ["CustomerProfiles"],
    supportedSchedulingFrequencies: ["BYMINUTE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "ONCE"],
    isPrivateLinkEnabled: false,
    isPrivateLinkEndpointUrlRequired: false,
    supportedTriggerTypes: ["Scheduled", "OnDemand"],
    connectorType: type,
    connectorLabel: spec.displayName,
    connectorDescription: `${spec.displayName} (objects: ${Object.keys(spec.objects).join(", ")})`,
    connectorName: type,
    connectorProvisioningType: "LAMBDA",
    supportedOperators: [...supportedOperators[type]],
    supportedDataTransferTypes: ["RECORD"],
    authenticationConfig: {
      isBasicAuthSupported: spec.authKinds.includes("basic") || spec.authKinds.includes("api_token"),
      isApiKeyAuthSupported: false,
      isOAuth2Supported: spec.authKinds.some((k) => k.startsWith("oauth")),
      isCustomAuthSupported: false,
    },
  };
}

const describeConnectorsInput = z.object({
  connectorTypes: z.array(z.string()).max(100).optional(),
  maxResults: z.number().int().min(1).max(100).optional(),
  nextToken: z.string().optional(),
});
const describeConnectorInput = z.object({
  connectorType: sourceConnectorType,
  connectorLabel: z.string().optional(),
});
const listEntitiesInput = z.object({
  connectorProfileName: connectorProfileName.optional(),
  connectorType: sourceConnectorType.optional(),
  entitiesPath: z.string().max(256).optional(),
  apiVersion: z.string().optional(),
  maxResults: z.number().int().min(1).max(10000).optional(),
  nextToken: z.string().optional(),
});
const describeEntityInput = z.object({
  connectorEntityName: z.string().min(1).max(1024),
  connectorType: sourceConnectorType.optional(),
  connectorProfileName: connectorProfileName.optional(),
  apiVersion: z.string().optional(),
});

/** The objects a spec declares, without asking the source. */
function staticObjects(spec: ConnectorSpec): ObjectDescription[] {
  return Object.entries(spec.objects).map(([name, o]) => ({
    name,
    label: o.label,
    cursorField: o.cursorField,
    idField: o.idField,
  }));
}

/** DescribeConnectorEntity's fields of a described object. */
function entityFields(type: SourceConnectorType, described: ObjectDescription) {
  return (described.fields ?? []).map((f) => ({
    identifier: f.name,
    label: f.label ?? f.name,
    isPrimaryKey: f.name === described.idField,
    supportedFieldTypeDetails: { v1: fieldTypeDetails(type, f.type) },
    sourceProperties: {
      isRetrievable: true,
      isQueryable: true,
      isTimestampFieldForIncrementalQueries: f.name === described.cursorField,
    },
  }));
}

/** Built connectors by type, and live ones on saved profiles (closed after use). */
function connectorAccess(deps: ConnectorOperationsDeps) {
  const specOf = (type: string) => {
    const spec = deps.connectorFor(type);
    if (!spec) throw new ProfileflowError("RESOURCE_NOT_FOUND", `Connector ${type} is not available.`);
    return spec;
  };
  const withLive = async <T>(
    profileName: string,
    fn: (c: Connector, type: SourceConnectorType) => Promise<T>,
  ): Promise<T> => {
    const p = await deps.profiles.require(profileName);
    const connector = specOf(p.connectorType).open(await deps.resolve(profileName));
    try {
      return await fn(connector, p.connectorType as SourceConnectorType);
    } finally {
      await connector.close();
    }
  };
  return { specOf, withLive };
}

const op = postOperation;

/** DescribeConnectors, DescribeConnector, ListConnectorEntities, DescribeConnectorEntity. */
export function connectorOperations(deps: ConnectorOperationsDeps): ServiceDefinition {
  const { specOf, withLive } = connectorAccess(deps);
  const operations = [
    op("DescribeConnectors", "/describe-connectors", async (ctx) => {
      const input = parseInput(describeConnectorsInput, ctx.body);
      const wanted = types.filter((t) => !input.connectorTypes || input.connectorTypes.includes(t));
      const connectorConfigurations: Record<string, unknown> = {};
      for (const t of wanted) {
        const spec = deps.connectorFor(t);
        if (spec) connectorConfigurations[t] = configuration(t, spec);
      }
      return { connectorConfigurations, connectors: [] };
    }),
    op("DescribeConnector", "/describe-connector", async (ctx) => {
      const input = parseInput(describeConnectorInput, ctx.body);
      return { connectorConfiguration: configuration(input.connectorType, specOf(input.connectorType)) };
    }),
    op("ListConnectorEntities", "/list-connector-entities", async (ctx) => {
      const input = parseInput(listEntitiesInput, ctx.body);
      let objects: readonly ObjectDescription[];
      if (input.connectorProfileName)
        objects = await withLive(input.connectorProfileName, (c) => c.listObjects());
      else if (input.connectorType) objects = staticObjects(specOf(input.connectorType));
      else
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "connectorProfileName or connectorType is required.",
          {
            member: "connectorType",
          },
        );
      const Objects = objects.map((o) => ({ name: o.name, label: o.label, hasNestedEntities: false }));
      return { connectorEntityMap: { Objects } };
    }),
    op("DescribeConnectorEntity", "/describe-connector-entity", async (ctx) => {
      const input = parseInput(describeEntityInput, ctx.body);
      if (!input.connectorProfileName) {
        throw new ProfileflowError(
          "VALIDATION_FAILED",
          "connectorProfileName is required to describe an entity's fields.",
          { member: "connectorProfileName" },
        );
      }
      const fields = await withLive(input.connectorProfileName, async (c, type) =>
        entityFields(type, await c.describeObject(input.connectorEntityName)),
      );
      return { connectorEntityFields: fields };
    }),
  ];
  return { service: "appflow", operations };
}
