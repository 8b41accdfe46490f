import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.ts";

/**
 * GetMatches' groups, computed once when an identity resolution job finishes (issue 15): one row per
 * group of the job's matches (connected profiles, best-linked first), read a page at a time in
 * GetMatches' order (score descending, then MatchId) by the key below instead of grouping every match
 * of the job on every request. `identity_resolution_jobs.match_groups` counts them (PotentialMatches);
 * null for a job that finished before this migration (its groups are stored on its first GetMatches).
 * The key is the page order: on SQLite the primary key of a WITHOUT ROWID table (one B-tree, as
 * `profiles`); on PostgreSQL, whose primary keys take no DESC, a unique index of the same columns.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "sqlite") {
    await sql`create table ml_match_groups (
      domain_name text not null,
      job_id text not null,
      match_id text not null,
      score double precision not null,
      profile_ids text not null,
      constraint ml_match_groups_pk primary key (domain_name, job_id, score desc, match_id)
    ) without rowid`.execute(db);
  } else {
    await db.schema
      .createTable("ml_match_groups")
      .addColumn("domain_name", "text", (c) => c.notNull())
      .addColumn("job_id", "text", (c) => c.notNull())
      .addColumn("match_id", "text", (c) => c.notNull())
      .addColumn("score", "double precision", (c) => c.notNull())
      .addColumn("profile_ids", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("ml_match_groups_page")
      .on("ml_match_groups")
      .unique()
      .columns(["domain_name", "job_id", "score desc", "match_id"])
      .execute();
  }
  await db.schema.alterTable("identity_resolution_jobs").addColumn("match_groups", "integer").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("identity_resolution_jobs").dropColumn("match_groups").execute();
  await db.schema.dropTable("ml_match_groups").execute();
}
