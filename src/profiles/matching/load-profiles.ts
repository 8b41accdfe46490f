import type { Kysely } from "kysely";
import type { DialectName } from "../../db/dialect.ts";
import type { Database } from "../../db/schema.ts";
import { chunks, inValues } from "../bulk.ts";
import { profileFieldsColumn } from "../leaves-columns.ts";
import type { Leaves } from "../profile-fields.ts";
import type { SealedDomain } from "../profile-refresh.ts";

export interface ProfileFacts {
  fields: Leaves;
  createdAt: number;
}

export async function loadProfiles(
  trx: Kysely<Database>,
  dialect: DialectName,
  { domainName, boxes }: SealedDomain,
  profileIds: readonly string[],
): Promise<Map<string, ProfileFacts>> {
  const out = new Map<string, ProfileFacts>();
  for (const part of chunks(profileIds)) {
    const rows = await trx
      .selectFrom("profiles")
      .select(["profile_id", "fields", "created_at"])
      .where("domain_name", "=", domainName)
      .where(inValues(dialect, "profile_id", part))
      .execute();
    for (const r of rows)
      out.set(r.profile_id, {
        fields: profileFieldsColumn.open(boxes, r.fields),
        createdAt: Number(r.created_at),
      });
  }
  return out;
}
