import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.ts";

/**
 * GetDomain's Stats kept by the database instead of counted per request (issue 18: at 1M objects on
 * SQLite a GetDomain counted every profile and read the length of every payload, 1.5 s in session 20's
 * statement timings and 2.4 s in session 22's bench, on the server's only thread). Triggers on `profiles`
 * and `profile_objects` keep one `domain_stats` row per domain, so every path that adds, replaces or
 * removes a row (ingest, puts, merges, deletions, an object type's or a domain's deletion) counts without
 * knowing it.
 *
 * - SQLite: row triggers (a row's update in place; a payload's change counted only when its length changes).
 * - PostgreSQL: statement triggers that add up the statement's transition tables once per statement (a
 *   batch's insert is one upsert of the row per statement, not one per object). A row trigger would update
 *   the domain's row once per object, and each update of a row already updated in the same transaction
 *   walks a longer chain of its versions: replacing 20,000 objects of an encrypted domain (every re-sealed
 *   payload differs) took 3.4 s against 0.09 s (a reviewer's measurement on a scratch database). Every
 *   writer of these tables holds its domain's advisory lock (domain-transaction.ts) already, so the row's
 *   lock makes no writer wait that did not.
 *
 * Sizes are bytes of the stored payload text (`octet_length`): AWS's TotalSize is in bytes. The triggers
 * are created before the existing rows are counted, in the same transaction (PostgreSQL's migrations run
 * in one; SQLite's are given one here), so no write falls between the two.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    // Both tables in one statement, before any trigger is made. A writer of a release still running
    // (docs/operations.md: stop them first) waits for this migration or, locking in the other order (an
    // unmerge writes profiles first), meets a deadlock that aborts one side: then the start fails, to retry.
    await sql`lock table profile_objects, profiles in share row exclusive mode`.execute(db);
    return create(db, true);
  }
  // Kysely runs SQLite's migrations outside any transaction (its adapter reports no transactional DDL).
  if (db.isTransaction) return create(db, false);
  await db.transaction().execute((tx) => create(tx, false));
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === "postgres";
  // `if exists`: SQLite runs this outside a transaction, so a failure part way must not block a retry.
  for (const [table, trigger] of TRIGGERS) {
    await sql.raw(`drop trigger if exists ${trigger}${pg ? ` on ${table}` : ""}`).execute(db);
  }
  if (pg) {
    for (const fn of Object.keys(POSTGRES_FUNCTION_BODIES)) {
      await sql.raw(`drop function if exists ${fn}()`).execute(db);
    }
  }
  await db.schema.dropTable("domain_stats").ifExists().execute();
}

async function create(db: Kysely<any>, pg: boolean): Promise<void> {
  const int = pg ? "bigint" : "integer";
  let table = db.schema
    .createTable("domain_stats")
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("profiles", int, (c) => c.notNull())
    .addColumn("objects", int, (c) => c.notNull())
    .addColumn("bytes", int, (c) => c.notNull())
    .addPrimaryKeyConstraint("domain_stats_pk", ["domain_name"]);
  if (!pg) table = table.modifyEnd(sql`without rowid`);
  await table.execute();
  if (pg) await postgresTriggers(db);
  else
    for (const [, name, body] of SQLITE_TRIGGERS) await sql.raw(`create trigger ${name} ${body}`).execute(db);
  await sql`insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, sum(p), sum(o), sum(b) from (
      select domain_name, count(*) as p, 0 as o, 0 as b from profiles group by domain_name
      union all
      select domain_name, 0, count(*), coalesce(sum(octet_length(payload)), 0) from profile_objects group by domain_name
    ) as counted group by domain_name`.execute(db);
}

/** [table, trigger] of every trigger this migration creates, on either dialect. */
const TRIGGERS = [
  ["profile_objects", "profile_objects_stats_insert"],
  ["profile_objects", "profile_objects_stats_delete"],
  ["profile_objects", "profile_objects_stats_update"],
  ["profiles", "profiles_stats_insert"],
  ["profiles", "profiles_stats_delete"],
] as const;

/** The names test/api/domain-stats.test.ts checks are present after every migration. */
export const DOMAIN_STATS_TRIGGERS: readonly string[] = TRIGGERS.map(([, name]) => name);

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
    `after update of payload on profile_objects when octet_length(old.payload) <> octet_length(new.payload) begin
      update domain_stats set bytes = bytes - octet_length(old.payload) + octet_length(new.payload)
        where domain_name = new.domain_name;
    end`,
  ],
] as const;

/** Adds the grouped figures of `rows` to their domains' rows. */
const upsert = (profiles: string, objects: string, bytes: string, rows: string) =>
  `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, ${profiles}, ${objects}, ${bytes} from ${rows} group by domain_name
    on conflict (domain_name) do update set profiles = domain_stats.profiles + excluded.profiles,
      objects = domain_stats.objects + excluded.objects, bytes = domain_stats.bytes + excluded.bytes`;

const POSTGRES_FUNCTION_BODIES = {
  profileflow_stats_profiles_added: upsert("count(*)", "0", "0", "added"),
  profileflow_stats_profiles_removed: upsert("-count(*)", "0", "0", "removed"),
  profileflow_stats_objects_added: upsert(
    "0",
    "count(*)",
    "coalesce(sum(octet_length(payload)), 0)",
    "added",
  ),
  profileflow_stats_objects_removed: upsert(
    "0",
    "-count(*)",
    "-coalesce(sum(octet_length(payload)), 0)",
    "removed",
  ),
  // Every update of an object passes through (a column list cannot go with transition tables), a merge's move too;
  // one whose payloads keep their sizes adds nothing.
  profileflow_stats_objects_changed: `insert into domain_stats (domain_name, profiles, objects, bytes)
    select domain_name, 0, 0, sum(b) from (
      select domain_name, octet_length(payload) as b from added
      union all
      select domain_name, -octet_length(payload) from removed
    ) as changed group by domain_name having sum(b) <> 0
    on conflict (domain_name) do update set bytes = domain_stats.bytes + excluded.bytes`,
} as const;

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  for (const [fn, body] of Object.entries(POSTGRES_FUNCTION_BODIES)) {
    await sql
      .raw(
        `create function ${fn}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`,
      )
      .execute(db);
  }
  const statement = (event: string, referencing: string, fn: string) =>
    `after ${event} referencing ${referencing} for each statement execute function ${fn}()`;
  const on = {
    profiles_stats_insert: `${statement("insert on profiles", "new table as added", "profileflow_stats_profiles_added")}`,
    profiles_stats_delete: `${statement("delete on profiles", "old table as removed", "profileflow_stats_profiles_removed")}`,
    profile_objects_stats_insert: statement(
      "insert on profile_objects",
      "new table as added",
      "profileflow_stats_objects_added",
    ),
    profile_objects_stats_delete: statement(
      "delete on profile_objects",
      "old table as removed",
      "profileflow_stats_objects_removed",
    ),
    profile_objects_stats_update: statement(
      "update on profile_objects",
      "old table as removed new table as added",
      "profileflow_stats_objects_changed",
    ),
  } satisfies Record<(typeof TRIGGERS)[number][1], string>;
  for (const [name, body] of Object.entries(on)) await sql.raw(`create trigger ${name} ${body}`).execute(db);
}
