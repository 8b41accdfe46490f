import { type Kysely, sql } from "kysely";
import { columnTypes, dialectOf } from "../dialect.ts";

/**
 * Fewer B-tree entries per ingested object (issue 18): every read of `profile_history` names the
 * profile (ListProfileHistoryRecords, GetProfileHistoryRecord, a merge's records), so the history is
 * keyed by (domain, profile, record) and its two other indexes go — the record-id primary key and the
 * (domain, profile, created_at) index. On SQLite the history and `profiles` become WITHOUT ROWID tables
 * clustered on their primary key, so each row is one B-tree entry instead of a table row plus index
 * entries (history 3 → 1, profiles 2 → 1); on PostgreSQL the history keeps its heap and one index
 * (3 → 2). Records are immutable and ids unique (time-ordered with 56 random bits), so no row changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    await sql`alter table profile_history drop constraint profile_history_pk`.execute(db);
    await sql`drop index profile_history_profile`.execute(db);
    await sql`alter table profile_history add constraint profile_history_pk primary key (domain_name, profile_id, record_id)`.execute(
      db,
    );
    return;
  }
  await rebuild(db, "profile_history", historyTable, ["domain_name", "profile_id", "record_id"]);
  await rebuild(db, "profiles", profilesTable, ["domain_name", "profile_id"]);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    await sql`alter table profile_history drop constraint profile_history_pk`.execute(db);
    await sql`alter table profile_history add constraint profile_history_pk primary key (domain_name, record_id)`.execute(
      db,
    );
  } else {
    await rebuild(db, "profile_history", historyTable, ["domain_name", "record_id"], false);
    await rebuild(db, "profiles", profilesTable, ["domain_name", "profile_id"], false);
  }
  await db.schema
    .createIndex("profile_history_profile")
    .on("profile_history")
    .columns(["domain_name", "profile_id", "created_at"])
    .execute();
}

type TableBuilder = ReturnType<Kysely<any>["schema"]["createTable"]>;

function historyTable(b: TableBuilder, millis: "integer" | "bigint"): TableBuilder {
  return b
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("record_id", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("object_type_name", "text", (c) => c.notNull())
    .addColumn("action_type", "text", (c) => c.notNull())
    .addColumn("object_key", "text")
    .addColumn("performed_by", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("created_at", millis, (c) => c.notNull());
}

function profilesTable(b: TableBuilder, millis: "integer" | "bigint"): TableBuilder {
  return b
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("manual", "text", (c) => c.notNull())
    .addColumn("created_at", millis, (c) => c.notNull())
    .addColumn("updated_at", millis, (c) => c.notNull());
}

/** SQLite: the table again with the given primary key (WITHOUT ROWID unless `withoutRowid` is false), rows copied. */
async function rebuild(
  db: Kysely<any>,
  table: string,
  columns: (b: TableBuilder, millis: "integer" | "bigint") => TableBuilder,
  primaryKey: string[],
  withoutRowid = true,
): Promise<void> {
  const next = `${table}_next`;
  let b = columns(db.schema.createTable(next), columnTypes("sqlite").millis).addPrimaryKeyConstraint(
    `${table}_pk`,
    primaryKey as never,
  );
  if (withoutRowid) b = b.modifyEnd(sql`without rowid`);
  await b.execute();
  await sql`insert into ${sql.table(next)} select * from ${sql.table(table)}`.execute(db);
  await db.schema.dropTable(table).execute();
  await db.schema.alterTable(next).renameTo(table).execute();
}
