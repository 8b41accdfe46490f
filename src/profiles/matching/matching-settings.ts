import type { Kysely } from "kysely";
import type { Json } from "../../db/json-column.ts";
import type { Database } from "../../db/schema.ts";
import { compileMatchingRules, type MatchingRules } from "../../ingest/matching/matching-rules.ts";
import { ruleBasedMatchingColumn } from "../domain-settings-columns.ts";

// Compiled settings by their stored JSON text: a domain's settings change rarely, batches are many.
const compiled = new Map<string, MatchingRules>();
const DISABLED = compileMatchingRules(undefined);

/** Compiles stored RuleBasedMatching JSON text (cached by text). */
export function rulesOfText(text: Json<"domains.rule_based_matching"> | null | undefined): MatchingRules {
  if (!text) return DISABLED;
  let rules = compiled.get(text);
  if (!rules) {
    if (compiled.size > 1000) compiled.clear();
    rules = compileMatchingRules(ruleBasedMatchingColumn.parse(text));
    compiled.set(text, rules);
  }
  return rules;
}

/** The domain's rule-based matching settings, read inside `db` (a transaction on the ingest path). */
export async function matchingRulesOf(db: Kysely<Database>, domainName: string): Promise<MatchingRules> {
  const row = await db
    .selectFrom("domains")
    .select("rule_based_matching")
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  return rulesOfText(row?.rule_based_matching);
}
