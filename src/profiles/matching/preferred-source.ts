import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { domainMatchingColumn, ruleBasedMatchingColumn } from "../domain-settings-columns.ts";

interface ConflictResolution {
  ConflictResolvingModel?: string;
  SourceName?: string;
}

/**
 * The object type whose values win a field conflict in the domain's profiles: ConflictResolution
 * `SOURCE`'s `SourceName`, from RuleBasedMatching when it is enabled with SOURCE, else from
 * Matching.AutoMerging when both are enabled with SOURCE; undefined under RECENCY (the derivation's own
 * order: newest source timestamp first).
 */
export async function preferredSourceOf(
  db: Kysely<Database>,
  domainName: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("domains")
    .select(["rule_based_matching", "matching"])
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  if (!row) return undefined;
  const source = (c: unknown) => {
    const r = c as ConflictResolution | undefined;
    return r?.ConflictResolvingModel === "SOURCE" ? r.SourceName : undefined;
  };
  if (row.rule_based_matching !== null) {
    const rules = ruleBasedMatchingColumn.parse(row.rule_based_matching);
    const name = rules.Enabled === true ? source(rules.ConflictResolution) : undefined;
    if (name !== undefined) return name;
  }
  if (row.matching !== null) {
    const matching = domainMatchingColumn.parse(row.matching);
    const auto = matching["AutoMerging"] as { Enabled?: boolean; ConflictResolution?: unknown } | undefined;
    if (matching.Enabled === true && auto?.Enabled === true) return source(auto.ConflictResolution);
  }
  return undefined;
}
