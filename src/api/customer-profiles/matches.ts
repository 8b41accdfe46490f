import type { Kysely } from "kysely";
import { z } from "zod";
import { ProfileflowError } from "../../core/errors.ts";
import type { Database } from "../../db/schema.ts";
import { listRuleMatches, similarByRule } from "../../profiles/matching/rule-match-list.ts";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import type { ProfileSearch } from "../../profiles/profile-search.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { keyNameSchema, requireDomain } from "./profile-schema.ts";

export interface MatchOperationsDeps {
  db: Kysely<Database>;
  domains: DomainLookup;
  search: ProfileSearch;
}

const similarSchema = z.object({
  MatchType: z.enum(["RULE_BASED_MATCHING", "ML_BASED_MATCHING"]),
  SearchKey: keyNameSchema,
  SearchValue: z.string().min(1).max(255),
});

/**
 * ListRuleBasedMatches: the matches rule-based matching found up to MaxAllowedRuleLevelForMatching and
 * did not merge. GetSimilarProfiles (RULE_BASED_MATCHING): the profile a search key finds, with the
 * profiles such matches link to it.
 */
export function matchOperations(deps: MatchOperationsDeps): ServiceDefinition {
  const operations: Operation[] = [
    {
      name: "ListRuleBasedMatches",
      method: "GET",
      path: "/domains/:DomainName/profiles/ruleBasedMatches",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const page = pageRequest(ctx.query, "ListRuleBasedMatches");
        const { items, more } = await listRuleMatches(deps.db, domain, page);
        return {
          MatchIds: items,
          NextToken: nextToken(
            "ListRuleBasedMatches",
            items.map((key) => ({ key })),
            more,
          ),
        };
      },
    },
    {
      name: "GetSimilarProfiles",
      method: "POST",
      path: "/domains/:DomainName/matches",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        const input = parseInput(similarSchema, ctx.body);
        if (input.MatchType === "ML_BASED_MATCHING") {
          throw new ProfileflowError(
            "UNSUPPORTED_OPERATION",
            "MatchType ML_BASED_MATCHING: ML matching is not available in this version of profileflow (docs/matching.md)",
            { member: "MatchType" },
          );
        }
        const found = await deps.search.search(
          domain,
          [{ keyName: input.SearchKey, values: [input.SearchValue] }],
          "OR",
          { maxResults: 1 },
        );
        const profileId = found.items[0]?.ProfileId;
        const similar = profileId ? await similarByRule(deps.db, domain, profileId) : { profileIds: [] };
        return {
          ProfileIds: similar.profileIds,
          MatchType: input.MatchType,
          ...(similar.matchId !== undefined
            ? { MatchId: similar.matchId, RuleLevel: similar.ruleLevel }
            : {}),
        };
      },
    },
  ];
  return { service: "profile", operations };
}
