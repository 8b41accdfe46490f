import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import { wellFormedText } from "../ingest/index.ts";
import { inValues } from "./bulk.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { decodePageToken, type Page, toPage } from "./page-token.ts";
import { recordHistory } from "./profile-history.ts";
import { refreshProfiles } from "./profile-refresh.ts";
import { type ProfileStore, profileNotFound } from "./profile-store.ts";

/** One stored object as ListProfileObjects shows it. */
export interface ProfileObjectItem {
  ObjectTypeName: string;
  ProfileObjectUniqueKey: string;
  /** The source record as received (JSON text). */
  Object: string;
}

/** The objects attached to profiles: listing (with ObjectFilter) and deletion. */
export class ProfileObjects {
  constructor(
    private readonly dialect: DialectName,
    private readonly profiles: ProfileStore,
    private readonly clock: Clock,
    private readonly sealer: DomainSealer = plainSealer,
  ) {}

  /** One page of a profile's objects of one type, optionally only those holding a key value. */
  async list(
    q: Queryable,
    domainName: string,
    profileId: string,
    objectTypeName: string,
    filter: { keyName: string; values: string[] } | undefined,
    page: { nextToken?: string | undefined; maxResults: number },
  ): Promise<Page<ProfileObjectItem>> {
    const boxes = await this.sealer.boxesIn(q, domainName);
    await this.profiles.require(q, domainName, profileId, boxes);
    const offset = decodePageToken(page.nextToken);
    let query = q
      .selectFrom("profile_objects as o")
      .select(["o.object_type_name", "o.object_key", "o.payload"])
      .where("o.domain_name", "=", domainName)
      .where("o.profile_id", "=", profileId)
      .where("o.object_type_name", "=", objectTypeName);
    if (filter) {
      const values = await this.profiles.normalize(q, domainName, filter.keyName, filter.values);
      if (values.length === 0) return { items: [] };
      query = query.where("o.object_key", "in", (eb) =>
        eb
          .selectFrom("profile_keys as k")
          .select("k.object_key")
          .where("k.domain_name", "=", domainName)
          .where("k.profile_id", "=", profileId)
          .where("k.origin", "=", "object")
          .where("k.object_type_name", "=", objectTypeName)
          .where("k.key_name", "=", filter.keyName)
          .where(
            inValues(
              this.dialect,
              "k.key_value",
              values.map((v) => boxes.index(filter.keyName, v)),
            ),
          ),
      );
    }
    const rows = await query
      .orderBy("o.object_key")
      .limit(page.maxResults + 1)
      .offset(offset)
      .execute();
    const box = boxes.at("profile_objects.payload");
    const items = rows.map((r) => ({
      ObjectTypeName: r.object_type_name,
      ProfileObjectUniqueKey: r.object_key,
      Object: box.open(r.payload),
    }));
    return toPage(items, offset, page.maxResults);
  }

  /** Deletes one object of a profile and re-derives the fields it fed; RESOURCE_NOT_FOUND when absent. */
  async delete(
    tx: Queryable,
    domainName: string,
    profileId: string,
    objectTypeName: string,
    rawObjectKey: string,
    performedBy: string,
  ): Promise<void> {
    const dialect = this.dialect;
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    // Stored object keys are normalized key values: a lone surrogate was stored as U+FFFD.
    const objectKey = wellFormedText(rawObjectKey);
    const exists = await tx
      .selectFrom("profiles")
      .select("profile_id")
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId)
      .executeTakeFirst();
    if (!exists) throw profileNotFound(profileId);
    const deleted = await tx
      .deleteFrom("profile_objects")
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .where("object_key", "=", objectKey)
      .where("profile_id", "=", profileId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) {
      throw notFound(`Profile ${profileId} has no ${objectTypeName} object ${objectKey}`, {
        member: "ProfileObjectUniqueKey",
      });
    }
    await deleteObjectKeys(tx, dialect, domainName, objectTypeName, [objectKey], [profileId]);
    const refreshed = await refreshProfiles(tx, dialect, { domainName, boxes }, [profileId], now);
    const content = { DeletedObject: true, ChangedFields: refreshed.get(profileId)?.changed ?? [] };
    await recordHistory(
      tx,
      boxes,
      domainName,
      {
        profileId,
        objectTypeName,
        actionType: "DELETED_BY_CUSTOMER",
        profileObjectUniqueKey: objectKey,
        performedBy,
        content,
      },
      now,
    );
  }
}

/**
 * Removes the keys that came from the given objects of one type. With `profileIds` (the objects'
 * profiles; an object's keys carry its profile) the profile index finds them; without, the domain's
 * keys are scanned.
 */
export async function deleteObjectKeys(
  trx: Queryable,
  dialect: DialectName,
  domainName: string,
  objectTypeName: string,
  objectKeys: readonly string[],
  profileIds?: readonly string[],
): Promise<void> {
  if (objectKeys.length === 0) return;
  let q = trx.deleteFrom("profile_keys").where("domain_name", "=", domainName);
  if (profileIds) q = q.where(inValues(dialect, "profile_id", [...new Set(profileIds)]));
  await q
    .where("origin", "=", "object")
    .where("object_type_name", "=", objectTypeName)
    .where(inValues(dialect, "object_key", objectKeys))
    .execute();
}
