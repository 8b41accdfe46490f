import { z } from "zod";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import type { IdentityResolutionService } from "../../services/identity-resolution-service.ts";
import type { ProfileService } from "../../services/profile-service.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { identityResolutionOperations } from "./identity-resolution.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { keyNameSchema, requireDomain } from "./profile-schema.ts";

export interface MatchOperationsDeps {
  domains: DomainLookup;
  /** Rule-based matches, ML matching's jobs and matches (src/services/identity-resolution-service.ts). */
  identityResolution: IdentityResolutionService;
  search: Pick<ProfileService, "search">;
}

const similarSchema = z.object({
  MatchType: z.enum(["RULE_BASED_MATCHING", "ML_BASED_MATCHING"]),
  SearchKey: keyNameSchema,
  SearchValue: z.string().min(1).max(255),
});

/**
 * ListRuleBasedMatches: the matches rule-based matching found up to MaxAllowedRuleLevelForMatching and
 * did not merge. GetSimilarProfiles: the profile a search key finds, with the profiles matches link to
 * it (RULE_BASED_MATCHING: recorded unmerged rule matches, the lowest level; ML_BASED_MATCHING: its
 * group of the latest identity resolution job's matches, as GetMatches lists it). Then ML matching's job operations.
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
        const { items, more } = await deps.identityResolution.ruleMatches(domain, page);
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
        const found = await deps.search.search(
          domain,
          [{ keyName: input.SearchKey, values: [input.SearchValue] }],
          "OR",
          { maxResults: 1 },
        );
        const profileId = found.items[0]?.ProfileId;
        if (input.MatchType === "ML_BASED_MATCHING") {
          // The profile's group of the latest job's matches, as GetMatches lists it (the profile first).
          const group = profileId ? await deps.identityResolution.groupOf(domain, profileId) : undefined;
          return {
            ProfileIds: group ? [profileId!, ...group.profileIds.filter((p) => p !== profileId)] : [],
            MatchType: input.MatchType,
            ...(group ? { MatchId: group.matchId, ConfidenceScore: group.score } : {}),
          };
        }
        const similar = profileId
          ? await deps.identityResolution.similarByRule(domain, profileId)
          : { profileIds: [] };
        return {
          ProfileIds: similar.profileIds,
          MatchType: input.MatchType,
          ...(similar.matchId !== undefined
            ? { MatchId: similar.matchId, RuleLevel: similar.ruleLevel }
            : {}),
        };
      },
    },
    ...identityResolutionOperations(deps),
  ];
  return { service: "profile", operations };
}
