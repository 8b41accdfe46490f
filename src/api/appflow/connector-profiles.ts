import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { ConnectorProfile } from "../../flows/connector-profile-store.ts";
import type { ConnectorProfileService } from "../../services/connector-profile-service.ts";
import { postOperation, type ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { connectorProfileName, sourceConnectorType } from "./flow-schema.ts";
import { decodeToken, page } from "./pagination.ts";

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

const updateInput = profileInput.omit({ connectorType: true, kmsArn: true, connectorLabel: true });
const describeInput = z
  .object({
    connectorProfileNames: z.array(connectorProfileName).max(100).optional(),
    connectorType: sourceConnectorType.optional(),
    connectorLabel: z.string().max(256).optional(),
    maxResults: z.number().int().min(1).max(100).optional(),
    nextToken: z.string().max(2048).optional(),
  })
  .strict();
const deleteInput = z.object({ connectorProfileName, forceDelete: z.boolean().optional() }).strict();
const nameOnly = z.object({ connectorProfileName }).strict();

/** One ConnectorProfile of DescribeConnectorProfiles. */
function detail(p: ConnectorProfile) {
  return {
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
  };
}

const arnOf = (p: ConnectorProfile) => ({ connectorProfileArn: p.arn });

const op = postOperation;

/** CreateConnectorProfile, UpdateConnectorProfile, DescribeConnectorProfiles, DeleteConnectorProfile (+ a test extension). */
export function connectorProfileOperations(deps: { profiles: ConnectorProfileService }): ServiceDefinition {
  const { profiles } = deps;
  const operations = [
    op("CreateConnectorProfile", "/create-connector-profile", async (ctx) => {
      const input = parseInput(profileInput, ctx.body);
      const config = checkConfig(input.connectorType, input.connectorProfileConfig, true);
      return profiles.create(
        {
          name: input.connectorProfileName,
          connectorType: input.connectorType,
          connectorLabel: input.connectorLabel,
          connectionMode: input.connectionMode,
          kmsArn: input.kmsArn,
          ...config,
        },
        { token: input.clientToken, request: { ...input, clientToken: undefined }, respond: arnOf },
      );
    }),
    op("UpdateConnectorProfile", "/update-connector-profile", async (ctx) => {
      const input = parseInput(updateInput, ctx.body);
      const type = (await profiles.require(input.connectorProfileName)).connectorType;
      const config = checkConfig(type, input.connectorProfileConfig, false);
      return profiles.update(
        { name: input.connectorProfileName, connectionMode: input.connectionMode, ...config },
        { token: input.clientToken, request: { ...input, clientToken: undefined }, respond: arnOf },
      );
    }),
    op("DescribeConnectorProfiles", "/describe-connector-profiles", async (ctx) => {
      const input = parseInput(describeInput, ctx.body);
      const limit = input.maxResults ?? 100;
      const rows = await profiles.list({
        names: input.connectorProfileNames,
        connectorType: input.connectorType,
        connectorLabel: input.connectorLabel,
        after: decodeToken(input.nextToken, "nextToken"),
        limit: limit + 1,
      });
      const { items, next } = page(rows, limit, (p) => p.name);
      return { connectorProfileDetails: items.map(detail), ...(next ? { nextToken: next } : {}) };
    }),
    op("DeleteConnectorProfile", "/delete-connector-profile", async (ctx) => {
      const input = parseInput(deleteInput, ctx.body);
      await profiles.delete(input.connectorProfileName, { force: input.forceDelete ?? false });
      return {};
    }),
    // Extension: re-test a saved connection and keep its status ("Connected" or the precise reason).
    op("TestConnectorProfile", "/test-connector-profile", async (ctx) => {
      const name = parseInput(nameOnly, ctx.body).connectorProfileName;
      const type = (await profiles.require(name)).connectorType;
      const result = await profiles.retest(name, shapes[type].key);
      return { connectionStatus: result.status, ...(result.message ? { message: result.message } : {}) };
    }),
  ];
  return { service: "appflow", operations };
}
