import type { Queryable } from "../db/queryable.ts";
import type { DomainStats } from "./domain-store.ts";

/**
 * GetDomain's Stats from the row the database keeps for the domain (migration 0340): one row read,
 * whatever the domain holds. A domain nothing was written to has no row yet: zeros.
 */
export async function readDomainStats(q: Queryable, domainName: string): Promise<DomainStats> {
  const row = await q
    .selectFrom("domain_stats")
    .select(["profiles", "objects", "bytes"])
    .where("domain_name", "=", domainName)
    .executeTakeFirst();
  const profiles = Number(row?.profiles ?? 0);
  return {
    ProfileCount: profiles,
    MeteringProfileCount: profiles,
    ObjectCount: Number(row?.objects ?? 0),
    TotalSize: Number(row?.bytes ?? 0),
  };
}
