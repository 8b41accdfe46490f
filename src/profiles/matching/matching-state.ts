import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** RuleBasedMatching.Status (the column's type). */
export type { MatchingStatus } from "../../db/schema/matching.ts";

import type { MatchingStatus } from "../../db/schema/matching.ts";

/** A domain's matching state. */
export interface MatchingState {
  status: MatchingStatus;
  version: number;
  processed: number;
}

/** The stored state of a domain's matching; undefined when matching was never configured. */
export async function matchingState(
  db: Kysely<Database>,
  domainName: string,
): Promise<MatchingState | undefined> {
  const row = await db
    .selectFrom("domain_matching")
    .select(["status", "version", "processed"])
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  return row
    ? { status: row.status, version: Number(row.version), processed: Number(row.processed) }
    : undefined;
}

/**
 * Records new matching settings: ACTIVE at once when the domain holds no profile (objects are matched
 * as they arrive), else PENDING with the backfill reset to the start. Returns the new version (the
 * backfill job carries it, and stops when the settings change again).
 */
export async function resetMatchingState(
  db: Kysely<Database>,
  domainName: string,
  now: number,
): Promise<{ version: number; status: MatchingStatus }> {
  const any = await db
    .selectFrom("profiles")
    .select("profile_id")
    .where("domain_name", "=", domainName)
    .limit(1)
    .executeTakeFirst();
  const status: MatchingStatus = any ? "PENDING" : "ACTIVE";
  const prev = await matchingState(db, domainName);
  const version = (prev?.version ?? 0) + 1;
  const row = { status, version, cursor: null, processed: 0, updated_at: now };
  if (prev) await db.updateTable("domain_matching").set(row).where("domain_name", "=", domainName).execute();
  else
    await db
      .insertInto("domain_matching")
      .values({ domain_name: domainName, ...row })
      .execute();
  return { version, status };
}

/** DeleteDomain hook: the domain's matching state, matches, merge records and identity resolution jobs go with it. */
export async function deleteDomainMatching(trx: Kysely<Database>, domainName: string): Promise<void> {
  for (const table of [
    "domain_matching",
    "rule_matches",
    "profile_merges",
    "identity_resolution_jobs",
    "ml_matches",
    "ml_match_groups",
  ] as const)
    await trx.deleteFrom(table).where("domain_name", "=", domainName).execute();
}
