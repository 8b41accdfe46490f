import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { listRuleMatches } from "../../profiles/matching/rule-match-list.ts";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import type { Operation, ServiceDefinition } from "../operation.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { requireDomain } from "./profile-schema.ts";

export interface MatchOperationsDeps {
  db: Kysely<Database>;
  domains: DomainLookup;
}

/** ListRuleBasedMatches: the matches rule-based matching found up to MaxAllowedRuleLevelForMatching and did not merge. */
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
  ];
  return { service: "profile", operations };
}
