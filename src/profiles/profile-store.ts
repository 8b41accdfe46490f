import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import { hexId } from "../core/ids.ts";
import { CompiledOnce } from "../db/compiled-once.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Json } from "../db/json-column.ts";
import type { Queryable } from "../db/queryable.ts";
import { normalizeKeyValue, PREDEFINED_SEARCH_KEYS, searchKeyContentType } from "../ingest/index.ts";
import { encodeValues, inEncodedValues, insertMany, inValues } from "./bulk.ts";
import { type DomainBoxes, type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { fieldKeyRows, keyContentTypes } from "./key-index.ts";
import { profileFieldsColumn, profileManualColumn } from "./leaves-columns.ts";
import { deriveLeaves, flatten, type Leaves, unflatten } from "./profile-fields.ts";
import { PROFILE_CALL_TYPE, recordHistory } from "./profile-history.ts";
import { refreshProfiles } from "./profile-refresh.ts";

/** A profile as the wire shows it: ProfileId plus its effective standard fields. */
export type Profile = { ProfileId: string } & Record<string, unknown>;

/** Standard profile members as CreateProfile/UpdateProfile send them (validated by the API). */
export type ProfileInput = Record<string, unknown>;

/**
 * Profiles set by hand: CreateProfile, UpdateProfile, DeleteProfile, BatchGetProfile, profile keys.
 * Writes run inside the caller's transaction, which must hold the domain's lock (inDomainTransaction).
 */
export class ProfileStore {
  /** Profiles' stored fields by id: [domain, encoded ids]. */
  readonly #byIds: CompiledOnce<{ profile_id: string; fields: Json<"profiles.fields"> }>;

  constructor(
    private readonly dialect: DialectName,
    private readonly clock: Clock,
    /** Fields, history and key values are sealed under the domain's data key through it. */
    readonly sealer: DomainSealer = plainSealer,
  ) {
    this.#byIds = new CompiledOnce(2, (q, [domain, ids]) =>
      q
        .selectFrom("profiles")
        .select(["profile_id", "fields"])
        .where("domain_name", "=", domain as string)
        .where(inEncodedValues(dialect, "profile_id", ids)),
    );
  }

  /** Creates a profile whose given fields are manual (ingestion never overwrites them); returns its id. */
  async create(tx: Queryable, domainName: string, input: ProfileInput, performedBy: string): Promise<string> {
    const profileId = hexId();
    const manual = withoutEmpty(flatten(input));
    const leaves = deriveLeaves([], manual);
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    await tx
      .insertInto("profiles")
      .values({
        domain_name: domainName,
        profile_id: profileId,
        fields: profileFieldsColumn.seal(boxes, leaves),
        manual: profileManualColumn.seal(boxes, manual),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await insertMany(tx, this.dialect, "profile_keys", fieldKeyRows(boxes, domainName, profileId, leaves));
    const content = { ChangedFields: Object.keys(leaves).sort() };
    await recordHistory(
      tx,
      boxes,
      domainName,
      { profileId, objectTypeName: PROFILE_CALL_TYPE, actionType: "CREATED", performedBy, content },
      now,
    );
    return profileId;
  }

  /** Sets the given fields by hand ("" clears one); the rest keep deriving from objects. */
  async update(
    tx: Queryable,
    domainName: string,
    profileId: string,
    input: ProfileInput,
    performedBy: string,
  ): Promise<void> {
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    const row = await this.#row(tx, domainName, profileId);
    const manual = { ...profileManualColumn.open(boxes, row.manual), ...flatten(input) };
    const refreshed = await refreshProfiles(
      tx,
      this.dialect,
      { domainName, boxes },
      [profileId],
      now,
      new Map([[profileId, manual]]),
    );
    const content = { ChangedFields: refreshed.get(profileId)?.changed ?? [] };
    await recordHistory(
      tx,
      boxes,
      domainName,
      { profileId, objectTypeName: PROFILE_CALL_TYPE, actionType: "UPDATED", performedBy, content },
      now,
    );
  }

  /** Deletes a profile with its objects and keys; its history stays. */
  async delete(tx: Queryable, domainName: string, profileId: string, performedBy: string): Promise<void> {
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    await this.#row(tx, domainName, profileId);
    for (const table of ["profile_keys", "profile_objects", "profiles"] as const) {
      await tx
        .deleteFrom(table)
        .where("domain_name", "=", domainName)
        .where("profile_id", "=", profileId)
        .execute();
    }
    await recordHistory(
      tx,
      boxes,
      domainName,
      {
        profileId,
        objectTypeName: PROFILE_CALL_TYPE,
        actionType: "DELETED_BY_CUSTOMER",
        performedBy,
        content: {},
      },
      now,
    );
  }

  /** The profiles that exist among `ids`, by id. */
  async getMany(
    q: Queryable,
    domainName: string,
    ids: readonly string[],
    given?: DomainBoxes,
  ): Promise<Map<string, Profile>> {
    const out = new Map<string, Profile>();
    const boxes = given ?? (await this.sealer.boxesIn(q, domainName));
    if (ids.length === 0) return out;
    const rows = await this.#byIds.execute(q, [domainName, encodeValues(this.dialect, [...new Set(ids)])]);
    for (const r of rows) out.set(r.profile_id, toProfile(boxes, r.profile_id, r.fields));
    return out;
  }

  /** The profile; RESOURCE_NOT_FOUND naming ProfileId when it does not exist. */
  async require(q: Queryable, domainName: string, profileId: string, boxes?: DomainBoxes): Promise<Profile> {
    const p = (await this.getMany(q, domainName, [profileId], boxes)).get(profileId);
    if (!p) throw profileNotFound(profileId);
    return p;
  }

  /** Adds key values to a profile by hand (normalized like ingestion); returns the stored values. */
  async addKey(
    tx: Queryable,
    domainName: string,
    profileId: string,
    keyName: string,
    values: readonly string[],
    performedBy: string,
  ): Promise<string[]> {
    const normalized = await this.normalize(tx, domainName, keyName, values);
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    await this.#row(tx, domainName, profileId);
    const existing = new Set(
      (
        await tx
          .selectFrom("profile_keys")
          .select("key_value")
          .where("domain_name", "=", domainName)
          .where("profile_id", "=", profileId)
          .where("key_name", "=", keyName)
          .where("origin", "=", "manual")
          .execute()
      ).map((r) => r.key_value),
    );
    const rows = normalized
      .map((v) => boxes.index(keyName, v))
      .filter((v) => !existing.has(v))
      .map((v) => ({
        domain_name: domainName,
        key_name: keyName,
        key_value: v,
        profile_id: profileId,
        origin: "manual" as const,
        object_type_name: "",
        object_key: "",
      }));
    await insertMany(tx, this.dialect, "profile_keys", rows);
    const content = { KeyName: keyName, Values: normalized };
    await recordHistory(
      tx,
      boxes,
      domainName,
      {
        profileId,
        objectTypeName: PROFILE_CALL_TYPE,
        actionType: "ADDED_PROFILE_KEY",
        performedBy,
        content,
      },
      now,
    );
    return normalized;
  }

  /** Removes key values from a profile, whatever added them; RESOURCE_NOT_FOUND when it holds none of them. */
  async deleteKey(
    tx: Queryable,
    domainName: string,
    profileId: string,
    keyName: string,
    values: readonly string[],
    performedBy: string,
  ): Promise<void> {
    const normalized = await this.normalize(tx, domainName, keyName, values);
    const now = this.clock.now();
    const boxes = await this.sealer.boxesIn(tx, domainName);
    await this.#row(tx, domainName, profileId);
    const deleted = await tx
      .deleteFrom("profile_keys")
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId)
      .where("key_name", "=", keyName)
      .where(
        inValues(
          this.dialect,
          "key_value",
          normalized.map((v) => boxes.index(keyName, v)),
        ),
      )
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) {
      throw notFound(`Profile ${profileId} has no key ${keyName} with these values`, { member: "Values" });
    }
    const content = { KeyName: keyName, Values: normalized };
    await recordHistory(
      tx,
      boxes,
      domainName,
      {
        profileId,
        objectTypeName: PROFILE_CALL_TYPE,
        actionType: "DELETED_PROFILE_KEY",
        performedBy,
        content,
      },
      now,
    );
  }

  /** Normalizes values the way the key's values were stored (predefined keys, then the domain's key types). */
  async normalize(
    q: Queryable,
    domainName: string,
    keyName: string,
    values: readonly string[],
  ): Promise<string[]> {
    // A predefined key's content type is fixed: the domain's key types are read only for its own keys.
    const defined = Object.hasOwn(PREDEFINED_SEARCH_KEYS, keyName)
      ? undefined
      : await keyContentTypes(q, domainName);
    const contentType = searchKeyContentType(keyName, defined);
    const out = values
      .map((v) => normalizeKeyValue(contentType, v))
      .filter((v): v is string => v !== undefined);
    return [...new Set(out)];
  }

  async #row(tx: Queryable, domainName: string, profileId: string) {
    const row = await tx
      .selectFrom("profiles")
      .select(["fields", "manual"])
      .where("domain_name", "=", domainName)
      .where("profile_id", "=", profileId)
      .executeTakeFirst();
    if (!row) throw profileNotFound(profileId);
    return row;
  }
}

/** RESOURCE_NOT_FOUND for a profile id. */
export function profileNotFound(profileId: string) {
  return notFound(`Profile ${profileId} does not exist`, { member: "ProfileId" });
}

/** The wire Profile of a stored row. */
export function toProfile(boxes: DomainBoxes, profileId: string, fields: Json<"profiles.fields">): Profile {
  return { ProfileId: profileId, ...unflatten(profileFieldsColumn.open(boxes, fields)) };
}

function withoutEmpty(leaves: Leaves): Leaves {
  const out: Leaves = {};
  for (const k in leaves) if (leaves[k] !== "") out[k] = leaves[k]!;
  return out;
}
