import { z } from "zod";
import { HostAllowList } from "../../connectors/sdk/index.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type {
  ConnectionStatus,
  ConnectorProfile,
  ConnectorProfileStore,
} from "../../flows/connector-profile-store.ts";
import type { FlowStore } from "../../flows/flow-store.ts";
import type { Idempotency } from "../idempotency.ts";
import type { ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { assertAllowedVendorHost, assertCredentialsFollowHost } from "./credential-binding.ts";
import { connectorProfileName, sourceConnectorType } from "./flow-schema.ts";
import { decodeToken, page } from "./pagination.ts";

/** Tests a connection with the connector's own code; wired by the composition root. */
export type ConnectionTester = (profile: {
  connectorType: string;
  properties: Record<string, unknown>;
  credentials: Record<string, unknown>;
}) => Promise<{ status: ConnectionStatus; message?: string | undefined }>;

const url = z
  .string()
  .max(256)
  .regex(/^(https?):\/\/[^\s]+$/, "must be an http(s) URL");
const secret = z.string().max(2048);
const oAuthRequest = z
  .object({ authCode: z.string().max(4096).optional(), redirectUri: z.string().max(512).optional() })
  .strict();

/** Per connector: the properties key, and the members AWS models for properties and credentials. */
const shapes = {
  Salesforce: {
    key: "Salesforce",
    properties: z
      .object({
        instanceUrl: url,
        isSandboxEnvironment: z.boolean().optional(),
        usePrivateLinkForMetadataAndAuthorization: z.boolean().optional(),
      })
      .strict(),
    credentials: z
      .object({
        accessToken: secret.optional(),
        refreshToken: secret.optional(),
        oAuthRequest: oAuthRequest.optional(),
        clientCredentialsArn: z
          .string()
          .min(20)
          .max(2048)
          .regex(/^arn:aws:secretsmanager:.*:[0-9]+:.*/, "must be a Secrets Manager ARN")
          .optional(),
        oAuth2GrantType: z.enum(["CLIENT_CREDENTIALS", "AUTHORIZATION_CODE", "JWT_BEARER"]).optional(),
        jwtToken: z.string().max(8000).optional(),
      })
      .strict(),
  },
  Servicenow: {
    key: "ServiceNow",
    properties: z.object({ instanceUrl: url }).strict(),
    credentials: z
      .object({
        username: z.string().max(512).optional(),
        password: secret.optional(),
        oAuth2Credentials: z
          .object({
            clientId: z.string().max(512).optional(),
            clientSecret: secret.optional(),
            accessToken: secret.optional(),
            refreshToken: secret.optional(),
            oAuthRequest: oAuthRequest.optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  },
  Marketo: {
    key: "Marketo",
    properties: z.object({ instanceUrl: url }).strict(),
    credentials: z
      .object({
        clientId: z.string().min(1).max(512),
        clientSecret: secret,
        accessToken: secret.optional(),
        oAuthRequest: oAuthRequest.optional(),
      })
      .strict(),
  },
  Zendesk: {
    key: "Zendesk",
    properties: z.object({ instanceUrl: url }).strict(),
    credentials: z
      .object({
        clientId: z.string().min(1).max(512),
        clientSecret: secret,
        accessToken: secret.optional(),
        oAuthRequest: oAuthRequest.optional(),
      })
      .strict(),
  },
} as const;

const profileInput = z
  .object({
    connectorProfileName,
    kmsArn: z
      .string()
      .min(20)
      .max(2048)
      .regex(/^arn:aws:kms:.*:[0-9]+:.*/)
      .optional(),
    connectorType: sourceConnectorType,
    connectorLabel: z.string().max(256).optional(),
    connectionMode: z.enum(["Public", "Private"]),
    connectorProfileConfig: z
      .object({
        connectorProfileProperties: z.record(z.string(), z.record(z.string(), z.unknown())),
        connectorProfileCredentials: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      })
      .strict(),
    clientToken: z.string().max(256).optional(),
  })
  .strict();

/** Validates the type-keyed properties and credentials of one connector profile. */
function checkConfig(
  type: keyof typeof shapes,
  config: z.infer<typeof profileInput>["connectorProfileConfig"],
  credentialsRequired: boolean,
) {
  const shape = shapes[type];
  const base = "connectorProfileConfig";
  const props = config.connectorProfileProperties[shape.key];
  if (!props) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `${base}.connectorProfileProperties.${shape.key} is required for ${type}.`,
      {
        member: `${base}.connectorProfileProperties.${shape.key}`,
      },
    );
  }
  const properties = parseInput(shape.properties, props, `${base}.connectorProfileProperties.${shape.key}`);
  const rawCreds = config.connectorProfileCredentials?.[shape.key];
  if (!rawCreds && credentialsRequired) {
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `${base}.connectorProfileCredentials.${shape.key} is required for ${type}.`,
      {
        member: `${base}.connectorProfileCredentials.${shape.key}`,
      },
    );
  }
  const credentials = rawCreds
    ? parseInput(shape.credentials, rawCreds, `${base}.connectorProfileCredentials.${shape.key}`)
    : undefined;
  return {
    key: shape.key,
    properties: properties as Record<string, unknown>,
    credentials: credentials as Record<string, unknown> | undefined,
  };
}

/** CreateConnectorProfile, UpdateConnectorProfile, DescribeConnectorProfiles, DeleteConnectorProfile (+ a test extension). */
export function connectorProfileOperations(deps: {
  profiles: ConnectorProfileStore;
  flows: FlowStore;
  idempotency: Idempotency;
  test: ConnectionTester;
  /** Hosts a connector profile may name (setting vendorHosts); any host when absent. */
  vendorHosts?: HostAllowList;
}): ServiceDefinition {
  const { profiles } = deps;
  const vendorHosts = deps.vendorHosts ?? HostAllowList.any();
  const testOrThrow = async (
    type: string,
    properties: Record<string, unknown>,
    credentials: Record<string, unknown>,
  ) => {
    const result = await deps.test({ connectorType: type, properties, credentials });
    if (result.status === "Failed") {
      throw new ProfileflowError(
        "CONNECTOR_AUTHENTICATION",
        `Connection test failed: ${result.message ?? "the source refused the credentials"}`,
      );
    }
    return result;
  };
  const detail = (p: ConnectorProfile) => ({
    connectorProfileArn: p.arn,
    connectorProfileName: p.name,
    connectorType: p.connectorType,
    ...(p.connectorLabel ? { connectorLabel: p.connectorLabel } : {}),
    connectionMode: p.connectionMode,
    credentialsArn: `${p.arn}/credentials`,
    connectorProfileProperties: p.properties,
    createdAt: p.createdAt / 1000,
    lastUpdatedAt: p.updatedAt / 1000,
    // Extension members (the SDK ignores them): the last connection test.
    connectionStatus: p.connectionStatus,
    ...(p.connectionMessage ? { connectionMessage: p.connectionMessage } : {}),
  });
  return {
    service: "appflow",
    operations: [
      {
        name: "CreateConnectorProfile",
        method: "POST",
        path: "/create-connector-profile",
        handler: async (ctx) => {
          const input = parseInput(profileInput, ctx.body);
          return deps.idempotency.run(
            "CreateConnectorProfile",
            input.clientToken,
            { ...input, clientToken: undefined },
            async () => {
              const { key, properties, credentials } = checkConfig(
                input.connectorType,
                input.connectorProfileConfig,
                true,
              );
              assertAllowedVendorHost(vendorHosts, key, properties["instanceUrl"]);
              if (await profiles.get(input.connectorProfileName)) {
                throw new ProfileflowError(
                  "ALREADY_EXISTS",
                  `Connector profile with name ${input.connectorProfileName} already exists.`,
                );
              }
              const tested = await testOrThrow(input.connectorType, properties, credentials ?? {});
              const p = await profiles.create({
                name: input.connectorProfileName,
                connectorType: input.connectorType,
                connectorLabel: input.connectorLabel,
                connectionMode: input.connectionMode,
                properties: { [key]: properties },
                credentials: credentials ? { [key]: credentials } : undefined,
                kmsArn: input.kmsArn,
                connectionStatus: tested.status,
                connectionMessage: tested.message,
              });
              return { connectorProfileArn: p.arn };
            },
          );
        },
      },
      {
        name: "UpdateConnectorProfile",
        method: "POST",
        path: "/update-connector-profile",
        handler: async (ctx) => {
          const input = parseInput(
            profileInput.omit({ connectorType: true, kmsArn: true, connectorLabel: true }),
            ctx.body,
          );
          return deps.idempotency.run(
            "UpdateConnectorProfile",
            input.clientToken,
            { ...input, clientToken: undefined },
            async () => {
              const existing = await profiles.require(input.connectorProfileName);
              const type = existing.connectorType as keyof typeof shapes;
              const { key, properties, credentials } = checkConfig(type, input.connectorProfileConfig, false);
              assertAllowedVendorHost(vendorHosts, key, properties["instanceUrl"]);
              // Before anything is contacted: stored credentials never follow a new instanceUrl.
              assertCredentialsFollowHost(
                key,
                existing.properties[key],
                properties,
                credentials !== undefined,
              );
              const effective = credentials ?? (await profiles.credentials(existing.name))?.[key] ?? {};
              const tested = await testOrThrow(type, properties, effective);
              const p = await profiles.update({
                name: existing.name,
                connectorType: type,
                connectionMode: input.connectionMode,
                properties: { [key]: properties },
                credentials: credentials ? { [key]: credentials } : undefined,
                connectionStatus: tested.status,
                connectionMessage: tested.message,
              });
              return { connectorProfileArn: p.arn };
            },
          );
        },
      },
      {
        name: "DescribeConnectorProfiles",
        method: "POST",
        path: "/describe-connector-profiles",
        handler: async (ctx) => {
          const input = parseInput(
            z
              .object({
                connectorProfileNames: z.array(connectorProfileName).max(100).optional(),
                connectorType: sourceConnectorType.optional(),
                connectorLabel: z.string().max(256).optional(),
                maxResults: z.number().int().min(1).max(100).optional(),
                nextToken: z.string().max(2048).optional(),
              })
              .strict(),
            ctx.body,
          );
          const limit = input.maxResults ?? 100;
          const rows = await profiles.list({
            ...(input.connectorProfileNames ? { names: input.connectorProfileNames } : {}),
            ...(input.connectorType ? { connectorType: input.connectorType } : {}),
            ...(input.connectorLabel ? { connectorLabel: input.connectorLabel } : {}),
            ...(input.nextToken ? { after: decodeToken(input.nextToken, "nextToken")! } : {}),
            limit: limit + 1,
          });
          const { items, next } = page(rows, limit, (p) => p.name);
          return { connectorProfileDetails: items.map(detail), ...(next ? { nextToken: next } : {}) };
        },
      },
      {
        name: "DeleteConnectorProfile",
        method: "POST",
        path: "/delete-connector-profile",
        handler: async (ctx) => {
          const input = parseInput(
            z.object({ connectorProfileName, forceDelete: z.boolean().optional() }).strict(),
            ctx.body,
          );
          await profiles.require(input.connectorProfileName);
          const users = await deps.flows.usingConnectorProfile(input.connectorProfileName);
          if (users.length > 0 && !input.forceDelete) {
            throw new ProfileflowError(
              "CONFLICT",
              `Connector profile ${input.connectorProfileName} is in use by flows: ${users.join(", ")}.`,
            );
          }
          await profiles.delete(input.connectorProfileName);
          return {};
        },
      },
      {
        // Extension: re-test a saved connection and keep its status ("Connected" or the precise reason).
        name: "TestConnectorProfile",
        method: "POST",
        path: "/test-connector-profile",
        handler: async (ctx) => {
          const input = parseInput(z.object({ connectorProfileName }).strict(), ctx.body);
          const p = await profiles.require(input.connectorProfileName);
          const key = shapes[p.connectorType as keyof typeof shapes].key;
          const creds = (await profiles.credentials(p.name))?.[key] ?? {};
          const result = await deps.test({
            connectorType: p.connectorType,
            properties: p.properties[key] ?? {},
            credentials: creds,
          });
          await profiles.update({
            name: p.name,
            connectorType: p.connectorType,
            connectionMode: p.connectionMode,
            properties: p.properties,
            credentials: undefined,
            connectionStatus: result.status,
            connectionMessage: result.message,
          });
          return { connectionStatus: result.status, ...(result.message ? { message: result.message } : {}) };
        },
      },
    ],
  };
}
