import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.ts";

/**
 * GetDomain's Stats kept by the database instead of counted per request (issue 18: at 1M objects on
 * SQLite a GetDomain counted every profile and read the length of every payload — 1.5 s on the server's
 * only thread). Triggers on `profiles` and `profile_objects` keep them, so every path that adds, replaces
 * or removes a row (ingest, puts, merges, deletions, an object type's or a domain's deletion, the sealed
 * format's upgrade) counts without knowing it.
 *
 * - SQLite (one writer): one `domain_stats` row per domain, changed by row triggers.
 * - PostgreSQL: concurrent writers must not queue on one row per domain, so statement triggers append a
 *   row of deltas per statement (from its transition tables) and a read sums them; GetDomain folds a
 *   domain's rows into one once there are many (domain-stats.ts).
 *
 * Sizes are bytes of the stored payload text (`octet_length`), as AWS's TotalSize is in bytes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  const int = pg ? "bigint" : "integer";
  await db.schema
    .createTable("domain_stats")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("profiles", int, (c) => c.notNull())
    .addColumn("objects", int, (c) => c.notNull())
    .addColumn("bytes", int, (c) => c.notNull())
    .execute();
  let index = db.schema.createIndex("domain_stats_domain").on("domain_stats").column("domain_name");
  if (!pg) index = index.unique();
  await index.execute();
  await sql`insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, sum(p), sum(o), sum(b) from (
      select domain_name, count(*) as p, 0 as o, 0 as b from profiles group by domain_name
      union all
      select domain_name, 0, count(*), coalesce(sum(octet_length(payload)), 0) from profile_objects group by domain_name
    ) as counted group by domain_name`.execute(db);
  if (pg) await postgresTriggers(db);
  else await sqliteTriggers(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    for (const [table, trigger] of POSTGRES_TRIGGERS)
      await sql.raw(`drop trigger ${trigger} on ${table}`).execute(db);
    for (const fn of POSTGRES_FUNCTIONS) await sql.raw(`drop function ${fn}()`).execute(db);
  } else {
    for (const [, trigger] of SQLITE_TRIGGERS) await sql.raw(`drop trigger ${trigger}`).execute(db);
  }
  await db.schema.dropTable("domain_stats").execute();
}

const SQLITE_TRIGGERS = [
  [
    "profiles",
    "profiles_stats_insert",
    `after insert on profiles begin
      insert into domain_stats (domain_name, profiles, objects, bytes) values (new.domain_name, 1, 0, 0)
        on conflict (domain_name) do update set profiles = profiles + 1;
    end`,
  ],
  [
    "profiles",
    "profiles_stats_delete",
    `after delete on profiles begin
      update domain_stats set profiles = profiles - 1 where domain_name = old.domain_name;
    end`,
  ],
  [
    "profile_objects",
    "profile_objects_stats_insert",
    `after insert on profile_objects begin
      insert into domain_stats (domain_name, profiles, objects, bytes)
        values (new.domain_name, 0, 1, octet_length(new.payload))
        on conflict (domain_name) do update set objects = objects + 1, bytes = bytes + excluded.bytes;
    end`,
  ],
  [
    "profile_objects",
    "profile_objects_stats_delete",
    `after delete on profile_objects begin
      update domain_stats set objects = objects - 1, bytes = bytes - octet_length(old.payload)
        where domain_name = old.domain_name;
    end`,
  ],
  [
    "profile_objects",
    "profile_objects_stats_update",
    `after update of payload on profile_objects begin
      update domain_stats set bytes = bytes - octet_length(old.payload) + octet_length(new.payload)
        where domain_name = new.domain_name;
    end`,
  ],
] as const;

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  for (const [, name, body] of SQLITE_TRIGGERS) await sql.raw(`create trigger ${name} ${body}`).execute(db);
}

/** Each function appends the deltas of one statement's transition table(s), grouped by domain. */
const POSTGRES_FUNCTION_BODIES = {
  profileflow_stats_profiles_added: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, count(*), 0, 0 from added group by domain_name`,
  profileflow_stats_profiles_removed: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, -count(*), 0, 0 from removed group by domain_name`,
  profileflow_stats_objects_added: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, 0, count(*), coalesce(sum(octet_length(payload)), 0) from added group by domain_name`,
  profileflow_stats_objects_removed: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, 0, -count(*), -coalesce(sum(octet_length(payload)), 0) from removed group by domain_name`,
  profileflow_stats_objects_changed: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, 0, 0, sum(b) from (
      select domain_name, octet_length(payload) as b from added
      union all
      select domain_name, -octet_length(payload) from removed
    ) as d group by domain_name having sum(b) <> 0`,
} as const;

const POSTGRES_FUNCTIONS = Object.keys(POSTGRES_FUNCTION_BODIES);

const POSTGRES_TRIGGERS = [
  ["profiles", "profiles_stats_insert", "insert", "new table as added", "profileflow_stats_profiles_added"],
  [
    "profiles",
    "profiles_stats_delete",
    "delete",
    "old table as removed",
    "profileflow_stats_profiles_removed",
  ],
  [
    "profile_objects",
    "profile_objects_stats_insert",
    "insert",
    "new table as added",
    "profileflow_stats_objects_added",
  ],
  [
    "profile_objects",
    "profile_objects_stats_delete",
    "delete",
    "old table as removed",
    "profileflow_stats_objects_removed",
  ],
  [
    "profile_objects",
    "profile_objects_stats_update",
    "update",
    "old table as removed new table as added",
    "profileflow_stats_objects_changed",
  ],
] as const;

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  for (const [fn, body] of Object.entries(POSTGRES_FUNCTION_BODIES)) {
    await sql
      .raw(
        `create function ${fn}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`,
      )
      .execute(db);
  }
  for (const [table, name, event, referencing, fn] of POSTGRES_TRIGGERS) {
    await sql
      .raw(
        `create trigger ${name} after ${event} on ${table} referencing ${referencing} for each statement execute function ${fn}()`,
      )
      .execute(db);
  }
}
