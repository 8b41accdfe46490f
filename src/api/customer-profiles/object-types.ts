import { toEpochSeconds } from "../../core/clock.ts";
import { invalid, isProfileflowError, ProfileflowError } from "../../core/errors.ts";
import { objectTypeNameSchema, validateObjectType } from "../../ingest/index.ts";
import type { ObjectTypeService, ObjectTypeView } from "../../services/object-type-service.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { nextToken, pageRequest } from "./pagination.ts";

/** Objects per profile (service quota); reported as MaxAvailableProfileObjectCount. */
export const MAX_OBJECTS_PER_PROFILE = 1000;

export interface ObjectTypeOperationsDeps {
  objectTypes: ObjectTypeService;
}

/** PutProfileObjectType, GetProfileObjectType, ListProfileObjectTypes, DeleteProfileObjectType. */
export function objectTypeOperations({ objectTypes }: ObjectTypeOperationsDeps): ServiceDefinition {
  const path = "/domains/:DomainName/object-types/:ObjectTypeName";
  const domainOf = (params: Record<string, string>) =>
    parseInput(domainNameSchema, params["DomainName"], "DomainName");
  const typeOf = (params: Record<string, string>) =>
    parseInput(objectTypeNameSchema, params["ObjectTypeName"], "ObjectTypeName");

  const operations: Operation[] = [
    {
      name: "PutProfileObjectType",
      method: "PUT",
      path,
      handler: async (ctx) => {
        const domainName = domainOf(ctx.params);
        if (!isObject(ctx.body)) throw invalid("(body)", "The request body must be a JSON object");
        const body = ctx.body;
        const definition = namingMember(() =>
          validateObjectType({ ...body, ObjectTypeName: ctx.params["ObjectTypeName"] }),
        );
        return objectTypeResponse(await objectTypes.put(domainName, definition));
      },
    },
    {
      name: "GetProfileObjectType",
      method: "GET",
      path,
      handler: async (ctx) =>
        objectTypeResponse(await objectTypes.describe(domainOf(ctx.params), typeOf(ctx.params))),
    },
    {
      name: "ListProfileObjectTypes",
      method: "GET",
      path: "/domains/:DomainName/object-types",
      handler: async (ctx) => {
        const domainName = domainOf(ctx.params);
        const page = pageRequest(ctx.query, `ListProfileObjectTypes/${domainName}`);
        const { items, more } = await objectTypes.list(domainName, page);
        return {
          Items: items.map(listItem),
          NextToken: nextToken(
            `ListProfileObjectTypes/${domainName}`,
            items.map((v) => ({ key: v.record.definition.ObjectTypeName })),
            more,
          ),
        };
      },
    },
    {
      name: "DeleteProfileObjectType",
      method: "DELETE",
      path,
      handler: async (ctx) => {
        const domainName = domainOf(ctx.params);
        const name = typeOf(ctx.params);
        await objectTypes.delete(domainName, name);
        return { Message: `Object type ${name} was deleted from domain ${domainName}, with its objects` };
      },
    },
  ];
  return { service: "profile", operations };
}

/** One item of ListProfileObjectTypes. */
function listItem({ record: rec, tags }: ObjectTypeView): Record<string, unknown> {
  const d = rec.definition;
  return {
    ObjectTypeName: d.ObjectTypeName,
    Description: d.Description,
    CreatedAt: toEpochSeconds(rec.createdAt),
    LastUpdatedAt: toEpochSeconds(rec.updatedAt),
    ...(d.MaxProfileObjectCount !== undefined ? { MaxProfileObjectCount: d.MaxProfileObjectCount } : {}),
    MaxAvailableProfileObjectCount: MAX_OBJECTS_PER_PROFILE,
    ...(d.SourcePriority !== undefined ? { SourcePriority: d.SourcePriority } : {}),
    Tags: tags,
  };
}

/** The Put/GetProfileObjectType response: the definition as put, template members expanded. */
function objectTypeResponse({ record: rec, tags }: ObjectTypeView): Record<string, unknown> {
  const d = rec.definition;
  return {
    ObjectTypeName: d.ObjectTypeName,
    Description: d.Description,
    ...(d.TemplateId !== undefined ? { TemplateId: d.TemplateId } : {}),
    ...(d.ExpirationDays !== undefined ? { ExpirationDays: d.ExpirationDays } : {}),
    ...(d.EncryptionKey !== undefined ? { EncryptionKey: d.EncryptionKey } : {}),
    AllowProfileCreation: d.AllowProfileCreation ?? false,
    ...(d.SourceLastUpdatedTimestampFormat !== undefined
      ? { SourceLastUpdatedTimestampFormat: d.SourceLastUpdatedTimestampFormat }
      : {}),
    ...(d.MaxProfileObjectCount !== undefined ? { MaxProfileObjectCount: d.MaxProfileObjectCount } : {}),
    MaxAvailableProfileObjectCount: MAX_OBJECTS_PER_PROFILE,
    ...(d.SourcePriority !== undefined ? { SourcePriority: d.SourcePriority } : {}),
    Fields: d.Fields ?? {},
    Keys: d.Keys ?? {},
    CreatedAt: toEpochSeconds(rec.createdAt),
    LastUpdatedAt: toEpochSeconds(rec.updatedAt),
    Tags: tags,
  };
}

/** Runs a validation whose errors name their member in `details`; makes the message name it too. */
function namingMember<T>(validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    const member = isProfileflowError(e, "VALIDATION_FAILED") ? e.details?.["member"] : undefined;
    if (typeof member !== "string" || !isProfileflowError(e) || e.message.includes(member)) throw e;
    throw new ProfileflowError(
      "VALIDATION_FAILED",
      `${member}: ${e.message}`,
      { ...e.details },
      { cause: e },
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
