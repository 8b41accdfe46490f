import type { Kysely } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * ML matching (identity resolution jobs): each job's state and counts, and the matches each job found
 * (GetMatches reads the latest completed job's; GetSimilarProfiles ML_BASED_MATCHING looks a profile up).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db));
  await db.schema
    .createTable("identity_resolution_jobs")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("job_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message", "text")
    .addColumn("auto_merging", "text")
    .addColumn("reviewed", "integer", (c) => c.notNull())
    .addColumn("matches_found", "integer", (c) => c.notNull())
    .addColumn("merges_done", "integer", (c) => c.notNull())
    .addColumn("model", "text")
    .addColumn("created_at", t.millis, (c) => c.notNull())
    .addColumn("started_at", t.millis)
    .addColumn("ended_at", t.millis)
    .addColumn("updated_at", t.millis, (c) => c.notNull())
    .addPrimaryKeyConstraint("identity_resolution_jobs_pk", ["domain_name", "job_id"])
    .execute();
  await db.schema
    .createIndex("identity_resolution_jobs_created")
    .on("identity_resolution_jobs")
    .columns(["domain_name", "created_at"])
    .execute();
  await db.schema
    .createTable("ml_matches")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("job_id", "text", (c) => c.notNull())
    .addColumn("match_id", "text", (c) => c.notNull())
    .addColumn("profile_a", "text", (c) => c.notNull())
    .addColumn("profile_b", "text", (c) => c.notNull())
    .addColumn("score", "double precision", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("ml_matches_pk", ["domain_name", "job_id", "match_id"])
    .execute();
  await db.schema
    .createIndex("ml_matches_a")
    .on("ml_matches")
    .columns(["domain_name", "profile_a"])
    .execute();
  await db.schema
    .createIndex("ml_matches_b")
    .on("ml_matches")
    .columns(["domain_name", "profile_b"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["ml_matches", "identity_resolution_jobs"]) await db.schema.dropTable(table).execute();
}
