import { sql } from "kysely";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import type { DomainStats } from "./domain-store.ts";

/**
 * PostgreSQL's statement triggers append a row of deltas per statement (migration 0340); once a domain
 * has more rows than this, reading its stats folds them into one.
 */
export const FOLD_STATS_ROWS_AT = 64;

/**
 * GetDomain's Stats from the kept counts (migration 0340): a read of one row on SQLite, of a bounded
 * number of rows on PostgreSQL, whatever the domain holds.
 */
export async function readDomainStats(
  q: Queryable,
  dialect: DialectName,
  domainName: string,
): Promise<DomainStats> {
  const row = await q
    .selectFrom("domain_stats")
    .select((eb) => [
      eb.fn.countAll().as("rows"),
      sql<number>`coalesce(sum(profiles), 0)`.as("profiles"),
      sql<number>`coalesce(sum(objects), 0)`.as("objects"),
      sql<number>`coalesce(sum(bytes), 0)`.as("bytes"),
    ])
    .where("domain_name", "=", domainName)
    .executeTakeFirstOrThrow();
  if (dialect === "postgres" && Number(row.rows) > FOLD_STATS_ROWS_AT) await foldDomainStats(q, domainName);
  const profiles = Number(row.profiles);
  return {
    ProfileCount: profiles,
    MeteringProfileCount: profiles,
    ObjectCount: Number(row.objects),
    TotalSize: Number(row.bytes),
  };
}

/**
 * PostgreSQL: a domain's rows of deltas replaced by their sum, in one statement. Rows another
 * transaction appends meanwhile are not in this statement's snapshot and stay; two folds at once each
 * sum only the rows they deleted.
 */
export async function foldDomainStats(q: Queryable, domainName: string): Promise<void> {
  await sql`with gone as (
      delete from domain_stats where domain_name = ${domainName} returning profiles, objects, bytes
    )
    insert into domain_stats (domain_name, profiles, objects, bytes)
    select ${domainName}, sum(profiles), sum(objects), sum(bytes) from gone having count(*) > 0`.execute(q);
}
