import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * Rule-based matching: the state of each domain's matching (status, the backfill's position), the
 * matches found but not merged (ListRuleBasedMatches), and every merge with its cause and the state
 * before it (explain, unmerge). Matching values themselves are `profile_keys` rows named `_m.*`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("domain_matching")
    .addColumn("domain_name", "text", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("cursor", "text")
    .addColumn("processed", "integer", (c) => c.notNull())
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("rule_matches")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("match_id", "text", (c) => c.notNull())
    .addColumn("rule_level", "integer", (c) => c.notNull())
    .addColumn("profile_a", "text", (c) => c.notNull())
    .addColumn("profile_b", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("rule_matches_pk", ["domain_name", "match_id"])
    .execute();
  await db.schema
    .createIndex("rule_matches_a")
    .on("rule_matches")
    .columns(["domain_name", "profile_a"])
    .execute();
  await db.schema
    .createIndex("rule_matches_b")
    .on("rule_matches")
    .columns(["domain_name", "profile_b"])
    .execute();
  await db.schema
    .createTable("profile_merges")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("merge_id", "text", (c) => c.notNull())
    // Order of the domain's merges (assigned under the domain lock): many share one timestamp.
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("main_profile_id", "text", (c) => c.notNull())
    .addColumn("merged_profile_ids", "text", (c) => c.notNull())
    .addColumn("cause", "text", (c) => c.notNull())
    .addColumn("performed_by", "text", (c) => c.notNull())
    .addColumn("before", "text", (c) => c.notNull())
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_merges_pk", ["domain_name", "merge_id"])
    .execute();
  // The next merge's number (max) and the merges after one (unmerge) without reading them all.
  await db.schema
    .createIndex("profile_merges_seq")
    .on("profile_merges")
    .columns(["domain_name", "seq"])
    .execute();
  await db.schema
    .createIndex("profile_merges_main")
    .on("profile_merges")
    .columns(["domain_name", "main_profile_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["profile_merges", "rule_matches", "domain_matching"]) {
    await db.schema.dropTable(table).execute();
  }
}
