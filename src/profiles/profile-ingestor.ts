import { createHash } from "node:crypto";
import { type Insertable, type Kysely, sql } from "kysely";
import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import type { DialectName } from "../db/dialect.ts";
import type {
  ProfileDeadLettersTable,
  ProfileHistoryTable,
  ProfileKeysTable,
  ProfileObjectsTable,
} from "../db/schema/profiles.ts";
import type { Database } from "../db/schema.ts";
import {
  type CompiledObjectType,
  type CompileOptions,
  compileObjectType,
  type MapResult,
} from "../ingest/index.ts";
import { BatchIds } from "./batch-ids.ts";
import { insertMany, type RawSqlite, valuesIn } from "./bulk.ts";
import { inDomainTransaction, lockDomainIn } from "./domain-transaction.ts";
import { matchingKeys, matchProfile, storedKeys } from "./identity-resolution.ts";
import { fieldKeyRows, lookupKeyOwners, pairKey, registerKeyTypes } from "./key-index.ts";
import type { ObjectTypeSource } from "./object-type-source.ts";
import { deriveLeaves, type FieldSource, flatten } from "./profile-fields.ts";
import { historyRow } from "./profile-history.ts";
import { refreshProfiles } from "./profile-refresh.ts";
import { deleteSourceObjects, type SourceDeletion } from "./source-deletions.ts";

/** What happened to one object of a batch. */
export type IngestStatus = "created" | "matched" | "replaced" | "ignored" | "dead_lettered";

/** The outcome for one object, in the order the objects were given. */
export interface IngestResult {
  status: IngestStatus;
  /** The object's ProfileObjectUniqueKey (the UNIQUE key's value, or a generated id). */
  profileObjectUniqueKey: string;
  /** The profile the object is attached to (absent when dead-lettered). */
  profileId?: string;
  /** The key that found the profile (absent when created, dead-lettered, or found by its own UNIQUE key). */
  matchedBy?: { keyName: string; value: string };
  /** Why the object was dead-lettered or ignored. */
  reason?: { code: string; message: string };
}

/** The outcome of a batch: counts plus one result per object. */
export interface IngestSummary {
  /** Objects stored (created, matched or replaced). */
  accepted: number;
  deadLettered: number;
  /** Objects older than the stored version of their UNIQUE key (nothing written). */
  ignored: number;
  /** Characters of the JSON text of the objects not dead-lettered (what a flow counts as bytes written). */
  bytes: number;
  results: IngestResult[];
}

export interface IngestOptions {
  /** Who is ingesting, recorded in history (`PerformedBy`); default "ingestion". */
  performedBy?: string;
}

/** The storage an ingestor writes to. */
export interface IngestDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** SQLite's one connection, under `db`: the write path runs its inserts as prepared statements on it. */
  sqlite?: RawSqlite | undefined;
}

interface CacheEntry {
  fingerprint: string;
  compiled: CompiledObjectType;
  priority: number | null;
}

interface ProfileState {
  /** Sources of a profile created by this batch, by object id. */
  sources: Map<string, FieldSource>;
  historyIndex: number;
}

/**
 * Identity resolution and storage of source objects: the one write path for PutProfileObject and
 * the flows engine. A batch is resolved and written in ONE transaction holding the domain lock;
 * lookups are done in bulk up front and writes as multi-row statements at the end.
 */
export class ProfileIngestor {
  readonly #cache = new Map<string, CacheEntry>();

  constructor(
    private readonly database: IngestDatabase,
    private readonly objectTypes: ObjectTypeSource,
    private readonly clock: Clock,
    private readonly compileOptions: CompileOptions = {},
  ) {}

  /** The compiled mapping of an object type (cached until its definition changes); RESOURCE_NOT_FOUND if none. */
  async compiled(
    domainName: string,
    objectTypeName: string,
  ): Promise<{ compiled: CompiledObjectType; priority: number | null }> {
    const def = await this.objectTypes.get(domainName, objectTypeName);
    if (!def) {
      throw notFound(`Object type ${objectTypeName} does not exist in domain ${domainName}`, {
        member: "ObjectTypeName",
      });
    }
    const cacheKey = `${domainName}\u0000${objectTypeName}`;
    const fingerprint = JSON.stringify(def);
    let entry = this.#cache.get(cacheKey);
    if (!entry || entry.fingerprint !== fingerprint) {
      entry = {
        fingerprint,
        compiled: compileObjectType(def, this.compileOptions),
        priority: def.SourcePriority ?? null,
      };
      this.#cache.set(cacheKey, entry);
      await this.objectTypes.ensureImplicit?.(domainName, objectTypeName);
    }
    return entry;
  }

  /**
   * Maps, resolves and stores a batch of raw source records (objects or JSON text) of one object
   * type, in one transaction. Records that cannot be mapped or matched are dead-lettered with their
   * reason; the batch goes on. Throws only for a missing object type or a storage failure.
   */
  async ingestObjects(
    domainName: string,
    objectTypeName: string,
    rawObjects: readonly unknown[],
    options: IngestOptions = {},
  ): Promise<IngestSummary> {
    const { compiled, priority } = await this.compiled(domainName, objectTypeName);
    const mapped = rawObjects.map((r) => compiled.map(r));
    const { db, dialect } = this.database;
    return inDomainTransaction(db, dialect, domainName, (trx) =>
      this.#ingest(trx, domainName, objectTypeName, compiled, priority, rawObjects, mapped, options),
    );
  }

  /**
   * ingestObjects inside a transaction the caller holds (the flows engine commits each page with its
   * checkpoint). The object type must have been compiled before the transaction opened
   * (`compiled(domain, type)`), because nothing may be read outside `trx` while it is open.
   */
  async ingestInTransaction(
    trx: Kysely<Database>,
    domainName: string,
    objectTypeName: string,
    rawObjects: readonly unknown[],
    options: IngestOptions = {},
  ): Promise<IngestSummary> {
    const { compiled, priority } = this.#prepared(domainName, objectTypeName);
    await lockDomainIn(trx, this.database.dialect, domainName);
    const mapped = rawObjects.map((r) => compiled.map(r));
    return this.#ingest(trx, domainName, objectTypeName, compiled, priority, rawObjects, mapped, options);
  }

  /**
   * Applies deletions at the source inside the caller's transaction: the objects go, the key values
   * only they provided go, their profiles' fields are recomputed, and a profile left with no objects
   * and no manual data is deleted. Returns how many objects were removed.
   */
  async deleteInTransaction(
    trx: Kysely<Database>,
    domainName: string,
    objectTypeName: string,
    deletions: readonly SourceDeletion[],
    options: IngestOptions = {},
  ): Promise<number> {
    const { compiled } = this.#prepared(domainName, objectTypeName);
    await lockDomainIn(trx, this.database.dialect, domainName);
    return deleteSourceObjects(trx, this.database.dialect, this.clock.now(), {
      domainName,
      objectTypeName,
      compiled,
      deletions,
      performedBy: options.performedBy ?? "ingestion",
    });
  }

  #prepared(domainName: string, objectTypeName: string): CacheEntry {
    const entry = this.#cache.get(`${domainName}\u0000${objectTypeName}`);
    if (!entry)
      throw new Error(
        `object type ${objectTypeName} of ${domainName} was not compiled before the transaction`,
      );
    return entry;
  }

  async #ingest(
    trx: Kysely<Database>,
    domainName: string,
    typeName: string,
    compiled: CompiledObjectType,
    priority: number | null,
    raws: readonly unknown[],
    mapped: MapResult[],
    options: IngestOptions,
  ): Promise<IngestSummary> {
    const dialect = this.database.dialect;
    const now = this.clock.now();
    const performedBy = options.performedBy ?? "ingestion";
    const ids = new BatchIds(mapped.length * 2);
    await registerKeyTypes(trx, domainName, compiled.keyContentTypes);

    // Bulk reads: who holds each matching key value, and the stored version of each UNIQUE key.
    const pairs: { name: string; value: string }[] = [];
    const uniqueValues: string[] = [];
    for (const m of mapped) {
      if (!m.ok) continue;
      for (const k of matchingKeys(m.keys)) pairs.push({ name: k.name, value: k.value });
      if (m.uniqueKey) uniqueValues.push(objectKeyOf(m.uniqueKey.value));
    }
    const owners = await lookupKeyOwners(trx, dialect, domainName, pairs);
    const stored = await this.#storedObjects(trx, domainName, typeName, uniqueValues);

    const results: IngestResult[] = [];
    const objectRows = new Map<string, Insertable<ProfileObjectsTable>>();
    const keyRows = new Map<string, Insertable<ProfileKeysTable>[]>();
    const replacedInDb = new Map<string, string>(); // stored object → its profile
    const created = new Map<string, ProfileState>();
    const touched = new Map<string, number>(); // existing profile → index of its last history row
    const history: { row: Insertable<ProfileHistoryTable>; content: Record<string, unknown> }[] = [];
    const deadLetters: Insertable<ProfileDeadLettersTable>[] = [];
    let accepted = 0;
    let ignored = 0;
    let bytes = 0;

    for (let i = 0; i < mapped.length; i++) {
      const m = mapped[i]!;
      const payload = payloadText(raws[i]);
      if (!m.ok) {
        const key = ids.next();
        deadLetters.push(deadLetter(ids.next(), domainName, typeName, null, payload, m.code, m.message, now));
        results.push({
          status: "dead_lettered",
          profileObjectUniqueKey: key,
          reason: { code: m.code, message: m.message },
        });
        continue;
      }
      bytes += payload.length;
      const objectKey = m.uniqueKey ? objectKeyOf(m.uniqueKey.value) : ids.next();
      const prev = m.uniqueKey ? stored.get(objectKey) : undefined;
      if (
        prev &&
        m.sourceTimestamp !== undefined &&
        prev.sourceTimestamp !== null &&
        m.sourceTimestamp < prev.sourceTimestamp
      ) {
        ignored++;
        const message = `a newer version of ${objectKey} is stored`;
        results.push({
          status: "ignored",
          profileObjectUniqueKey: objectKey,
          profileId: prev.profileId,
          reason: { code: "OLDER_THAN_STORED", message },
        });
        continue;
      }
      let profileId: string;
      let status: IngestStatus;
      let matchedBy: { keyName: string; value: string } | undefined;
      let ambiguous: unknown[] = [];
      if (prev) {
        profileId = prev.profileId;
        status = "replaced";
        if (prev.inDb) replacedInDb.set(objectKey, prev.profileId);
      } else {
        const match = matchProfile(m.keys, (p) => owners.get(p));
        ambiguous = match.ambiguous;
        if (match.profileId) {
          profileId = match.profileId;
          matchedBy = match.matchedBy;
          status = "matched";
        } else if (compiled.allowProfileCreation) {
          profileId = ids.next();
          status = "created";
          created.set(profileId, { sources: new Map(), historyIndex: -1 });
        } else {
          const why = match.ambiguous.length
            ? `no key matched one profile (ambiguous: ${match.ambiguous.map((a) => a.keyName).join(", ")}) and the object type does not allow profile creation`
            : "no key matched a profile and the object type does not allow profile creation";
          bytes -= payload.length;
          deadLetters.push(
            deadLetter(ids.next(), domainName, typeName, objectKey, payload, "NO_MATCHING_PROFILE", why, now),
          );
          results.push({
            status: "dead_lettered",
            profileObjectUniqueKey: objectKey,
            reason: { code: "NO_MATCHING_PROFILE", message: why },
          });
          continue;
        }
      }
      accepted++;
      const isCreated = status === "created";
      const leaves = flatten(m.profile);
      if (isCreated) {
        // An inferred profile gets the record's email and phone even when they have no Target.
        if (m.inferred.EmailAddress !== undefined && !("EmailAddress" in leaves))
          leaves.EmailAddress = m.inferred.EmailAddress;
        if (m.inferred.PhoneNumber !== undefined && !("PhoneNumber" in leaves))
          leaves.PhoneNumber = m.inferred.PhoneNumber;
      }
      const source: FieldSource = {
        leaves,
        timestamp: m.sourceTimestamp ?? now,
        priority,
        updatedAt: now,
        id: `${typeName}\u0000${objectKey}`,
      };
      objectRows.set(objectKey, {
        domain_name: domainName,
        object_type_name: typeName,
        object_key: objectKey,
        profile_id: profileId,
        payload,
        fields: JSON.stringify(leaves),
        source_timestamp: m.sourceTimestamp ?? null,
        priority,
        updated_at: now,
      });
      const keep = storedKeys(m.keys, isCreated);
      keyRows.set(
        objectKey,
        keep.map((k) => ({
          domain_name: domainName,
          key_name: k.name,
          key_value: k.value,
          profile_id: profileId,
          origin: "object",
          object_type_name: typeName,
          object_key: objectKey,
        })),
      );
      for (const k of keep) {
        const pk = pairKey(k.name, k.value);
        const set = owners.get(pk) ?? new Set<string>();
        set.add(profileId);
        owners.set(pk, set);
      }
      stored.set(objectKey, {
        profileId,
        sourceTimestamp: m.sourceTimestamp ?? null,
        inDb: prev?.inDb ?? false,
      });
      const content: Record<string, unknown> = {};
      if (matchedBy) content.MatchedBy = { KeyName: matchedBy.keyName, Value: matchedBy.value };
      if (isCreated) content.ProfileCreated = true;
      if (status === "replaced") content.ReplacedObject = true;
      if (ambiguous.length) content.AmbiguousKeys = ambiguous;
      history.push({
        row: historyRow(
          domainName,
          {
            profileId,
            objectTypeName: typeName,
            actionType: "INGESTED",
            profileObjectUniqueKey: objectKey,
            performedBy,
            content: {},
          },
          now,
          ids.next(),
        ),
        content,
      });
      const state = created.get(profileId);
      if (state) {
        state.sources.set(source.id, source);
        state.historyIndex = history.length - 1;
      } else {
        touched.set(profileId, history.length - 1);
      }
      const result: IngestResult = { status, profileObjectUniqueKey: objectKey, profileId };
      if (matchedBy) result.matchedBy = matchedBy;
      results.push(result);
    }

    await this.#write(trx, dialect, domainName, typeName, now, {
      replacedInDb,
      objectRows: [...objectRows.values()],
      keyRows: [...keyRows.values()].flat(),
      created,
      touched,
      history,
      deadLetters,
    });
    return { accepted, deadLettered: deadLetters.length, ignored, bytes, results };
  }

  async #storedObjects(
    trx: Kysely<Database>,
    domainName: string,
    typeName: string,
    keys: string[],
  ): Promise<Map<string, { profileId: string; sourceTimestamp: number | null; inDb: boolean }>> {
    const out = new Map<string, { profileId: string; sourceTimestamp: number | null; inDb: boolean }>();
    if (keys.length === 0) return out;
    const distinct = [...new Set(keys)];
    type Row = { object_key: string; profile_id: string; source_timestamp: number | null };
    const rows: Row[] =
      this.database.dialect === "postgres"
        ? // One primary-key probe per key, whatever the statistics say (see lookupKeyOwners).
          (
            await sql<Row>`
              select o.object_key, o.profile_id, o.source_timestamp
              from unnest(${distinct}::text[]) as k(object_key)
              cross join lateral (
                select object_key, profile_id, source_timestamp from profile_objects
                where domain_name = ${domainName} and object_type_name = ${typeName} and object_key = k.object_key
                offset 0
              ) as o`.execute(trx)
          ).rows
        : await trx
            .selectFrom("profile_objects")
            .select(["object_key", "profile_id", "source_timestamp"])
            .where("domain_name", "=", domainName)
            .where("object_type_name", "=", typeName)
            .where("object_key", "in", valuesIn(this.database.dialect, distinct))
            .execute();
    for (const r of rows)
      out.set(r.object_key, { profileId: r.profile_id, sourceTimestamp: r.source_timestamp, inDb: true });
    return out;
  }

  async #write(
    trx: Kysely<Database>,
    dialect: DialectName,
    domainName: string,
    typeName: string,
    now: number,
    w: {
      replacedInDb: Map<string, string>;
      objectRows: Insertable<ProfileObjectsTable>[];
      keyRows: Insertable<ProfileKeysTable>[];
      created: Map<string, ProfileState>;
      touched: Map<string, number>;
      history: { row: Insertable<ProfileHistoryTable>; content: Record<string, unknown> }[];
      deadLetters: Insertable<ProfileDeadLettersTable>[];
    },
  ): Promise<void> {
    if (w.replacedInDb.size > 0) {
      // An object's keys carry its profile (merges move both), so the profile index finds them.
      await trx
        .deleteFrom("profile_keys")
        .where("domain_name", "=", domainName)
        .where("profile_id", "in", valuesIn(dialect, [...new Set(w.replacedInDb.values())]))
        .where("origin", "=", "object")
        .where("object_type_name", "=", typeName)
        .where("object_key", "in", valuesIn(dialect, [...w.replacedInDb.keys()]))
        .execute();
    }
    const raw = this.database.sqlite;
    await insertMany(trx, dialect, "profile_objects", w.objectRows, OBJECT_UPSERT, raw);
    const profileRows = [];
    const fieldKeys: Insertable<ProfileKeysTable>[] = [];
    for (const [profileId, state] of w.created) {
      const leaves = deriveLeaves([...state.sources.values()], {});
      profileRows.push({
        domain_name: domainName,
        profile_id: profileId,
        fields: JSON.stringify(leaves),
        manual: "{}",
        created_at: now,
        updated_at: now,
      });
      for (const r of fieldKeyRows(domainName, profileId, leaves)) fieldKeys.push(r);
      const h = w.history[state.historyIndex];
      if (h) h.content.ChangedFields = Object.keys(leaves).sort();
    }
    await insertMany(trx, dialect, "profiles", profileRows, undefined, raw);
    const refreshed = await refreshProfiles(trx, dialect, domainName, [...w.touched.keys()], now, undefined, {
      keepAbsent: true,
    });
    for (const [profileId, r] of refreshed) {
      const h = w.history[w.touched.get(profileId)!];
      if (h) h.content.ChangedFields = r.changed;
    }
    await insertMany(trx, dialect, "profile_keys", fieldKeys.concat(w.keyRows), undefined, raw);
    for (const h of w.history) h.row.content = JSON.stringify(h.content);
    await insertMany(
      trx,
      dialect,
      "profile_history",
      w.history.map((h) => h.row),
      undefined,
      raw,
    );
    await insertMany(trx, dialect, "profile_dead_letters", w.deadLetters, undefined, raw);
  }
}

/** Objects are replaced by (domain, type, key). */
const OBJECT_UPSERT = {
  columns: ["domain_name", "object_type_name", "object_key"],
  update: ["profile_id", "payload", "fields", "source_timestamp", "priority", "updated_at"],
};

/** ProfileObjectUniqueKey is 1–255 characters: longer UNIQUE values are shortened to a digest. */
function objectKeyOf(value: string): string {
  if (value.length <= 255) return value;
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

function payloadText(raw: unknown): string {
  return typeof raw === "string" ? raw : (JSON.stringify(raw) ?? "null");
}

function deadLetter(
  id: string,
  domainName: string,
  typeName: string,
  objectKey: string | null,
  payload: string,
  code: string,
  message: string,
  now: number,
): Insertable<ProfileDeadLettersTable> {
  return {
    domain_name: domainName,
    dead_letter_id: id,
    object_type_name: typeName,
    object_key: objectKey,
    payload,
    reason_code: code,
    message,
    created_at: now,
  };
}
