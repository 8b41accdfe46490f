import type { Clock } from "../core/clock.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { readDomainStats } from "./domain-stats.ts";
import type { DomainStats } from "./domain-store.ts";
import { deleteDomainMatching } from "./matching/matching-state.ts";
import { deleteObjectKeys } from "./profile-objects.ts";
import { refreshProfiles } from "./profile-refresh.ts";

const DOMAIN_TABLES = [
  "profile_keys",
  "profile_objects",
  "profiles",
  "profile_key_types",
  "profile_history",
  "profile_dead_letters",
  // Last: the deletions above changed the domain's stats.
  "domain_stats",
] as const;

/**
 * What a domain's profiles hold, as one resource: deleted with their domain or with an object type,
 * counted for GetDomain's Stats. Every method runs inside the caller's transaction.
 */
export class ProfileLifecycle {
  constructor(
    private readonly dialect: DialectName,
    private readonly clock: Clock,
    private readonly sealer: DomainSealer = plainSealer,
  ) {}

  /** DeleteDomain: everything the domain's profiles hold, with its matching state, matches and merges. */
  async deleteForDomainIn(tx: Queryable, domainName: string): Promise<void> {
    for (const table of DOMAIN_TABLES)
      await tx.deleteFrom(table).where("domain_name", "=", domainName).execute();
    await deleteDomainMatching(tx, domainName);
  }

  /**
   * DeleteProfileObjectType: the type's objects and their keys go, and the fields of the profiles they
   * fed are derived again.
   */
  async deleteForObjectTypeIn(tx: Queryable, domainName: string, objectTypeName: string): Promise<void> {
    const rows = await tx
      .selectFrom("profile_objects")
      .select(["object_key", "profile_id"])
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .execute();
    if (rows.length === 0) return;
    await deleteObjectKeys(
      tx,
      this.dialect,
      domainName,
      objectTypeName,
      rows.map((r) => r.object_key),
    );
    await tx
      .deleteFrom("profile_objects")
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .execute();
    const profiles = [...new Set(rows.map((r) => r.profile_id))];
    const boxes = await this.sealer.boxesIn(tx, domainName);
    await refreshProfiles(tx, this.dialect, { domainName, boxes }, profiles, this.clock.now());
  }

  /** GetDomain Stats: profiles, objects and their stored size in bytes, as kept by the database. */
  statsIn(q: Queryable, domainName: string): Promise<DomainStats> {
    return readDomainStats(q, domainName);
  }
}
