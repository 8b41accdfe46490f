import type { Queryable } from "../db/queryable.ts";
import type { DomainSealer } from "./domain-sealer.ts";
import { objectFieldsColumn } from "./leaves-columns.ts";
import { decodePageToken, type Page, toPage } from "./page-token.ts";
import type { Leaves } from "./profile-fields.ts";

/**
 * One stored object with the profile it belongs to and the profile fields it feeds. The record itself
 * (sealed under the domain's data key) is read with ListProfileObjects.
 */
export interface DomainObject {
  objectTypeName: string;
  profileObjectUniqueKey: string;
  profileId: string;
  /** The profile leaves this object feeds ("FirstName", "Address.City", "Attributes.x"). */
  fields: Leaves;
  /** When it was last stored (epoch ms). */
  updatedAt: number;
}

/**
 * One page of a domain's objects, newest first, optionally of one object type and/or one profile
 * (ListDomainObjects, an extension: AWS lists objects only per profile and type).
 */
export async function listDomainObjects(
  q: Queryable,
  sealer: DomainSealer,
  domainName: string,
  filter: { objectTypeName?: string | undefined; profileId?: string | undefined },
  page: { nextToken?: string | undefined; maxResults: number },
): Promise<Page<DomainObject>> {
  const offset = decodePageToken(page.nextToken);
  const boxes = await sealer.boxesIn(q, domainName);
  let query = q
    .selectFrom("profile_objects")
    .select(["object_type_name", "object_key", "profile_id", "fields", "updated_at"])
    .where("domain_name", "=", domainName);
  if (filter.objectTypeName !== undefined)
    query = query.where("object_type_name", "=", filter.objectTypeName);
  if (filter.profileId !== undefined) query = query.where("profile_id", "=", filter.profileId);
  const rows = await query
    .orderBy("updated_at", "desc")
    .orderBy("object_type_name")
    .orderBy("object_key")
    .limit(page.maxResults + 1)
    .offset(offset)
    .execute();
  const items = rows.map(
    (r): DomainObject => ({
      objectTypeName: r.object_type_name,
      profileObjectUniqueKey: r.object_key,
      profileId: r.profile_id,
      fields: objectFieldsColumn.open(boxes, r.fields),
      updatedAt: Number(r.updated_at),
    }),
  );
  return toPage(items, offset, page.maxResults);
}
