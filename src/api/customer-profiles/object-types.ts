import { toEpochSeconds } from "../../core/clock.ts";
import { invalid, isProfileflowError, notFound, ProfileflowError } from "../../core/errors.ts";
import { objectTypeNameSchema, validateObjectType } from "../../ingest/index.ts";
import type { DomainStore } from "../../profiles/domain-store.ts";
import type { ObjectTypeRecord, ObjectTypeStore } from "../../profiles/object-type-store.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import type { TagStore } from "../tags/tag-store.ts";
import { parseInput } from "../validate.ts";
import type { ProfileArns } from "./arns.ts";
import { domainNameSchema } from "./domain-schema.ts";
import { nextToken, pageRequest } from "./pagination.ts";

/** Objects per profile (service quota); reported as MaxAvailableProfileObjectCount. */
export const MAX_OBJECTS_PER_PROFILE = 1000;

export interface ObjectTypeOperationsDeps {
  domains: DomainStore;
  objectTypes: ObjectTypeStore;
  tags: TagStore;
  arns: ProfileArns;
}

/** PutProfileObjectType, GetProfileObjectType, ListProfileObjectTypes, DeleteProfileObjectType. */
export function objectTypeOperations(deps: ObjectTypeOperationsDeps): ServiceDefinition {
  const { domains, objectTypes, tags, arns } = deps;
  const path = "/domains/:DomainName/object-types/:ObjectTypeName";
  const domainOf = (params: Record<string, string>) =>
    parseInput(domainNameSchema, params["DomainName"], "DomainName");
  const typeOf = (params: Record<string, string>) =>
    parseInput(objectTypeNameSchema, params["ObjectTypeName"], "ObjectTypeName");
  const describe = async (rec: ObjectTypeRecord) =>
    objectTypeResponse(rec, await tags.list(arns.objectType(rec.domainName, rec.definition.ObjectTypeName)));

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
        await domains.require(domainName);
        const rec = await objectTypes.put(domainName, definition);
        if (definition.Tags) {
          await tags.tag(arns.objectType(domainName, definition.ObjectTypeName), definition.Tags);
        }
        return describe(rec);
      },
    },
    {
      name: "GetProfileObjectType",
      method: "GET",
      path,
      handler: async (ctx) => {
        const domainName = domainOf(ctx.params);
        const name = typeOf(ctx.params);
        await domains.require(domainName);
        const rec = await objectTypes.describe(domainName, name);
        if (!rec) throw missingType(domainName, name);
        return describe(rec);
      },
    },
    {
      name: "ListProfileObjectTypes",
      method: "GET",
      path: "/domains/:DomainName/object-types",
      handler: async (ctx) => {
        const domainName = domainOf(ctx.params);
        const page = pageRequest(ctx.query, `ListProfileObjectTypes/${domainName}`);
        await domains.require(domainName);
        const { items, more } = await objectTypes.list(domainName, page);
        return {
          Items: await Promise.all(
            items.map(async (rec) => {
              const d = rec.definition;
              return {
                ObjectTypeName: d.ObjectTypeName,
                Description: d.Description,
                CreatedAt: toEpochSeconds(rec.createdAt),
                LastUpdatedAt: toEpochSeconds(rec.updatedAt),
                ...(d.MaxProfileObjectCount !== undefined
                  ? { MaxProfileObjectCount: d.MaxProfileObjectCount }
                  : {}),
                MaxAvailableProfileObjectCount: MAX_OBJECTS_PER_PROFILE,
                ...(d.SourcePriority !== undefined ? { SourcePriority: d.SourcePriority } : {}),
                Tags: await tags.list(arns.objectType(domainName, d.ObjectTypeName)),
              };
            }),
          ),
          NextToken: nextToken(
            `ListProfileObjectTypes/${domainName}`,
            items.map((r) => ({ key: r.definition.ObjectTypeName })),
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
        await domains.require(domainName);
        await objectTypes.delete(domainName, name);
        return { Message: `Object type ${name} was deleted from domain ${domainName}, with its objects` };
      },
    },
  ];
  return { service: "profile", operations };
}

/** The Put/GetProfileObjectType response: the definition as put, template members expanded. */
function objectTypeResponse(rec: ObjectTypeRecord, tags: Record<string, string>): Record<string, unknown> {
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

function missingType(domainName: string, name: string) {
  return notFound(`Object type ${name} does not exist in domain ${domainName}`, { member: "ObjectTypeName" });
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
