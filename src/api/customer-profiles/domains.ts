import { toEpochSeconds } from "../../core/clock.ts";
import type { DomainSettings } from "../../profiles/domain-store.ts";
import type { DomainService, DomainView } from "../../services/domain-service.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { createDomainSchema, domainNameSchema, updateDomainSchema } from "./domain-schema.ts";
import { nextToken, pageRequest } from "./pagination.ts";

export interface DomainOperationsDeps {
  domains: DomainService;
}

/** CreateDomain, GetDomain, UpdateDomain, ListDomains and DeleteDomain (restJson1, PascalCase). */
export function domainOperations({ domains }: DomainOperationsDeps): ServiceDefinition {
  const nameOf = (params: Record<string, string>) =>
    parseInput(domainNameSchema, params["DomainName"], "DomainName");
  const operations: Operation[] = [
    {
      name: "CreateDomain",
      method: "POST",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const name = nameOf(ctx.params);
        const input = parseInput(createDomainSchema, ctx.body);
        const settings = { defaultExpirationDays: input.DefaultExpirationDays, ...settingsOf(input) };
        const caller = { accessKeyId: ctx.caller.accessKeyId, requestId: ctx.requestId };
        return domainResponse(await domains.create(name, settings, input.Tags, caller));
      },
    },
    {
      name: "GetDomain",
      method: "GET",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const view = await domains.describe(nameOf(ctx.params));
        return { ...domainResponse(view), Stats: view.stats };
      },
    },
    {
      name: "UpdateDomain",
      method: "PUT",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const name = nameOf(ctx.params);
        const input = parseInput(updateDomainSchema, ctx.body);
        const patch: Partial<DomainSettings> = settingsOf(input);
        if (input.DefaultExpirationDays !== undefined)
          patch.defaultExpirationDays = input.DefaultExpirationDays;
        const caller = { accessKeyId: ctx.caller.accessKeyId, requestId: ctx.requestId };
        return domainResponse(await domains.update(name, patch, input.Tags, caller));
      },
    },
    {
      name: "ListDomains",
      method: "GET",
      path: "/domains",
      handler: async (ctx) => {
        const page = pageRequest(ctx.query, "ListDomains");
        const { items, more } = await domains.list(page);
        return {
          Items: items.map(({ domain: d, tags }) => ({
            DomainName: d.name,
            CreatedAt: toEpochSeconds(d.createdAt),
            LastUpdatedAt: toEpochSeconds(d.updatedAt),
            Tags: tags,
          })),
          NextToken: nextToken(
            "ListDomains",
            items.map((i) => ({ key: i.domain.name })),
            more,
          ),
        };
      },
    },
    {
      name: "DeleteDomain",
      method: "DELETE",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const name = nameOf(ctx.params);
        await domains.delete(name, { accessKeyId: ctx.caller.accessKeyId, requestId: ctx.requestId });
        return { Message: `Domain ${name} was deleted, with its object types, profiles and objects` };
      },
    },
  ];
  return { service: "profile", operations };
}

type SettingsInput = {
  DefaultEncryptionKey?: string | undefined;
  DeadLetterQueueUrl?: string | undefined;
  Matching?: Record<string, unknown> | undefined;
  RuleBasedMatching?: Record<string, unknown> | undefined;
  DataStore?: Record<string, unknown> | undefined;
};

function settingsOf(input: SettingsInput): Partial<DomainSettings> {
  const out: Partial<DomainSettings> = {};
  if (input.DefaultEncryptionKey !== undefined) out.defaultEncryptionKey = input.DefaultEncryptionKey;
  if (input.DeadLetterQueueUrl !== undefined) out.deadLetterQueueUrl = input.DeadLetterQueueUrl;
  if (input.Matching !== undefined) out.matching = input.Matching;
  if (input.RuleBasedMatching !== undefined) out.ruleBasedMatching = input.RuleBasedMatching;
  if (input.DataStore !== undefined) out.dataStore = input.DataStore;
  return out;
}

/** The CreateDomain / UpdateDomain / GetDomain response members of a domain. */
function domainResponse({ domain: d, tags, matchingStatus }: DomainView): Record<string, unknown> {
  return {
    DomainName: d.name,
    DefaultExpirationDays: d.defaultExpirationDays,
    DefaultEncryptionKey: d.defaultEncryptionKey,
    ...(d.deadLetterQueueUrl !== undefined ? { DeadLetterQueueUrl: d.deadLetterQueueUrl } : {}),
    ...(d.matching !== undefined ? { Matching: d.matching } : {}),
    // Status is the matching state's: ACTIVE once every stored profile has been matched.
    ...(d.ruleBasedMatching !== undefined
      ? { RuleBasedMatching: { ...d.ruleBasedMatching, Status: matchingStatus } }
      : {}),
    ...(d.dataStore !== undefined ? { DataStore: d.dataStore } : {}),
    CreatedAt: toEpochSeconds(d.createdAt),
    LastUpdatedAt: toEpochSeconds(d.updatedAt),
    Tags: tags,
  };
}
