import { toEpochSeconds } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import type { Domain, DomainSettings, DomainStore } from "../../profiles/domain-store.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import type { TagStore } from "../tags/tag-store.ts";
import { parseInput } from "../validate.ts";
import type { ProfileArns } from "./arns.ts";
import { createDomainSchema, domainNameSchema, updateDomainSchema } from "./domain-schema.ts";
import { nextToken, pageRequest } from "./pagination.ts";

export interface DomainOperationsDeps {
  domains: DomainStore;
  tags: TagStore;
  arns: ProfileArns;
  /** Rule-based matching: records new settings (and starts the backfill), and tells its status. */
  matching?: DomainMatchingPort;
}

/** What the domain operations need of rule-based matching (src/compose/matching-jobs.ts). */
export interface DomainMatchingPort {
  /** New RuleBasedMatching settings were stored: reset the state, queue the backfill when profiles exist. */
  configured(domainName: string): Promise<void>;
  /** RuleBasedMatching.Status: PENDING, IN_PROGRESS or ACTIVE. */
  status(domainName: string): Promise<"PENDING" | "IN_PROGRESS" | "ACTIVE">;
}

/** CreateDomain, GetDomain, UpdateDomain, ListDomains and DeleteDomain (restJson1, PascalCase). */
export function domainOperations(deps: DomainOperationsDeps): ServiceDefinition {
  const { domains, tags, arns, matching } = deps;
  const nameOf = (params: Record<string, string>) =>
    parseInput(domainNameSchema, params["DomainName"], "DomainName");
  const describe = async (d: Domain) =>
    domainResponse(
      d,
      await tags.list(arns.domain(d.name)),
      d.ruleBasedMatching && matching ? await matching.status(d.name) : "PENDING",
    );

  const operations: Operation[] = [
    {
      name: "CreateDomain",
      method: "POST",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const name = nameOf(ctx.params);
        const input = parseInput(createDomainSchema, ctx.body);
        refuseMlMatching(input);
        const domain = await domains.create(name, {
          defaultExpirationDays: input.DefaultExpirationDays,
          ...settingsOf(input),
        });
        if (input.RuleBasedMatching) await matching?.configured(name);
        if (input.Tags) await tags.tag(arns.domain(name), input.Tags);
        return describe(domain);
      },
    },
    {
      name: "GetDomain",
      method: "GET",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const domain = await domains.require(nameOf(ctx.params));
        return { ...(await describe(domain)), Stats: await domains.stats(domain.name) };
      },
    },
    {
      name: "UpdateDomain",
      method: "PUT",
      path: "/domains/:DomainName",
      handler: async (ctx) => {
        const name = nameOf(ctx.params);
        const input = parseInput(updateDomainSchema, ctx.body);
        refuseMlMatching(input);
        const patch: Partial<DomainSettings> = settingsOf(input);
        if (input.DefaultExpirationDays !== undefined)
          patch.defaultExpirationDays = input.DefaultExpirationDays;
        const domain = await domains.update(name, patch);
        if (input.RuleBasedMatching) await matching?.configured(name);
        if (input.Tags) await tags.tag(arns.domain(name), input.Tags);
        return describe(domain);
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
          Items: await Promise.all(
            items.map(async (d) => ({
              DomainName: d.name,
              CreatedAt: toEpochSeconds(d.createdAt),
              LastUpdatedAt: toEpochSeconds(d.updatedAt),
              Tags: await tags.list(arns.domain(d.name)),
            })),
          ),
          NextToken: nextToken(
            "ListDomains",
            items.map((d) => ({ key: d.name })),
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
        await domains.delete(name);
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

/**
 * ML matching (`Matching.Enabled: true`) is refused until it exists: storing it and answering as if
 * a weekly job ran would be a lie. `Enabled: false` is stored and echoed (docs/matching.md).
 */
function refuseMlMatching(input: SettingsInput): void {
  if (input.Matching?.["Enabled"] === true) {
    throw new ProfileflowError(
      "UNSUPPORTED_OPERATION",
      "Matching.Enabled: ML matching is not available in this version of profileflow; use RuleBasedMatching (docs/matching.md)",
      { member: "Matching.Enabled" },
    );
  }
}

/** The CreateDomain / UpdateDomain / GetDomain response members of a domain. */
function domainResponse(
  d: Domain,
  tags: Record<string, string>,
  matchingStatus: string,
): Record<string, unknown> {
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
