import { ProfileflowError } from "../core/errors.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import type { DeadLetter } from "../profiles/dead-letter-store.ts";
import { type DomainObject, listDomainObjects } from "../profiles/domain-objects.ts";
import type { DomainStore } from "../profiles/domain-store.ts";
import { inDomainTransaction } from "../profiles/domain-transaction.ts";
import { ObjectPutBatcher } from "../profiles/object-put-batcher.ts";
import type { Page } from "../profiles/page-token.ts";
import {
  type DomainCensus,
  domainCensus,
  keyOfJoinedProfile,
  type ObjectPlacement,
  objectPlacements,
} from "../profiles/profile-census.ts";
import type { HistoryFilter, HistoryRecord } from "../profiles/profile-history.ts";
import type { IngestSummary } from "../profiles/profile-ingestor.ts";
import type { ProfileObjectItem } from "../profiles/profile-objects.ts";
import type { FoundProfile, SearchKey } from "../profiles/profile-search.ts";
import type { ProfileServices } from "../profiles/profile-services.ts";
import type { Profile, ProfileInput } from "../profiles/profile-store.ts";

/** A page request of the profile list operations. */
export interface PageRequest {
  nextToken?: string | undefined;
  maxResults: number;
}

export interface ProfileServiceDeps {
  db: Queryable;
  dialect: DialectName;
  domains: DomainStore;
  /** The profiles layer's stores and ingestor, built over the same database. */
  profiles: Pick<ProfileServices, "ingestor" | "profiles" | "objects" | "search" | "history" | "deadLetters">;
}

/**
 * Profiles, their keys, objects, history and dead letters, and search: each public method is one
 * wire operation; each write is one transaction (PutProfileObject's may be shared by the puts of one
 * batch) holding the domain's lock (inDomainTransaction), so writes serialize with ingestion and
 * DeleteDomain; reads are one transaction on SQLite and none on PostgreSQL (#read). Every method
 * checks the domain first, in its transaction when it has one.
 */
export class ProfileService {
  /** PutProfileObject's group commit: concurrent puts of one domain, type and caller share a transaction. */
  readonly #puts: ObjectPutBatcher;

  constructor(private readonly d: ProfileServiceDeps) {
    this.#puts = new ObjectPutBatcher((domainName, typeName, texts, performedBy) =>
      d.profiles.ingestor.ingestObjects(domainName, typeName, texts, { performedBy }),
    );
  }

  /** CreateProfile: the given fields are manual (ingestion never overwrites them); returns the id. */
  createProfile(domainName: string, input: ProfileInput, performedBy: string): Promise<string> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.profiles.create(tx, domainName, input, performedBy),
    );
  }

  /** UpdateProfile: sets the given fields by hand ("" clears one). */
  updateProfile(
    domainName: string,
    profileId: string,
    input: ProfileInput,
    performedBy: string,
  ): Promise<void> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.profiles.update(tx, domainName, profileId, input, performedBy),
    );
  }

  /** DeleteProfile: the profile with its objects and keys; its history stays. */
  deleteProfile(domainName: string, profileId: string, performedBy: string): Promise<void> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.profiles.delete(tx, domainName, profileId, performedBy),
    );
  }

  /** BatchGetProfile: the profiles that exist among `ids`, by id. */
  getProfiles(domainName: string, ids: readonly string[]): Promise<Map<string, Profile>> {
    return this.#read(domainName, (tx) => this.d.profiles.profiles.getMany(tx, domainName, ids));
  }

  /** SearchProfiles: profiles holding any of the values of a key; several keys combined with AND or OR. */
  search(
    domainName: string,
    keys: SearchKey[],
    operator: "AND" | "OR",
    page: PageRequest,
  ): Promise<{ items: FoundProfile[]; nextToken?: string }> {
    return this.#read(domainName, (tx) =>
      this.d.profiles.search.search(tx, domainName, keys, operator, page),
    );
  }

  /** AddProfileKey: returns the stored (normalized) values. */
  addKey(
    domainName: string,
    profileId: string,
    keyName: string,
    values: readonly string[],
    performedBy: string,
  ): Promise<string[]> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.profiles.addKey(tx, domainName, profileId, keyName, values, performedBy),
    );
  }

  /** DeleteProfileKey: RESOURCE_NOT_FOUND when the profile holds none of the values. */
  deleteKey(
    domainName: string,
    profileId: string,
    keyName: string,
    values: readonly string[],
    performedBy: string,
  ): Promise<void> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.profiles.deleteKey(tx, domainName, profileId, keyName, values, performedBy),
    );
  }

  /**
   * PutProfileObject: maps, resolves and stores one object (the ingestor's one write path, in a
   * transaction under the domain's lock, shared with the puts of the same domain, type and caller that
   * arrived while the one before was written: ObjectPutBatcher). Answered once committed;
   * RESOURCE_NOT_FOUND for a missing domain or object type; THROTTLED when too many puts wait.
   */
  async putObject(
    domainName: string,
    objectTypeName: string,
    objectText: string,
    performedBy: string,
  ): Promise<IngestSummary> {
    await this.d.domains.requireExists(this.d.db, domainName);
    try {
      return await this.#puts.put(domainName, objectTypeName, objectText, performedBy);
    } catch (e) {
      // The domain deleted while the put waited for its batch: say so, not that the type is missing.
      if (e instanceof ProfileflowError && e.code === "RESOURCE_NOT_FOUND") {
        await this.d.domains.requireExists(this.d.db, domainName);
      }
      throw e;
    }
  }

  /** ListProfileObjects: one page of a profile's objects of one type, optionally those holding a key value. */
  listObjects(
    domainName: string,
    profileId: string,
    objectTypeName: string,
    filter: { keyName: string; values: string[] } | undefined,
    page: PageRequest,
  ): Promise<Page<ProfileObjectItem>> {
    return this.#read(domainName, (tx) =>
      this.d.profiles.objects.list(tx, domainName, profileId, objectTypeName, filter, page),
    );
  }

  /** DeleteProfileObject: the object goes and the fields it fed are derived again. */
  deleteObject(
    domainName: string,
    profileId: string,
    objectTypeName: string,
    objectKey: string,
    performedBy: string,
  ): Promise<void> {
    return this.#write(domainName, (tx) =>
      this.d.profiles.objects.delete(tx, domainName, profileId, objectTypeName, objectKey, performedBy),
    );
  }

  /** ListProfileHistoryRecords: RESOURCE_NOT_FOUND for a missing profile. */
  listHistory(
    domainName: string,
    profileId: string,
    filter: HistoryFilter,
    page: PageRequest,
  ): Promise<Page<HistoryRecord>> {
    return this.#read(domainName, async (tx) => {
      await this.d.profiles.profiles.require(tx, domainName, profileId);
      return this.d.profiles.history.list(tx, domainName, profileId, filter, page);
    });
  }

  /** GetProfileHistoryRecord. */
  getHistory(domainName: string, profileId: string, id: string): Promise<HistoryRecord> {
    return this.#read(domainName, (tx) => this.d.profiles.history.get(tx, domainName, profileId, id));
  }

  /** ListDeadLetters (an extension): newest first, optionally of one object type. */
  listDeadLetters(
    domainName: string,
    filter: { objectTypeName?: string | undefined },
    page: PageRequest,
  ): Promise<Page<DeadLetter>> {
    return this.#read(domainName, (tx) => this.d.profiles.deadLetters.list(tx, domainName, filter, page));
  }

  /** ListDomainObjects (an extension): the domain's objects newest first, optionally of one type or profile. */
  listDomainObjects(
    domainName: string,
    filter: { objectTypeName?: string | undefined; profileId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<DomainObject>> {
    return this.#read(domainName, (tx) =>
      listDomainObjects(tx, this.d.profiles.profiles.sealer, domainName, filter, page),
    );
  }

  /** Counts no AWS operation reports: objects per type, profiles of several types, dead letters. */
  census(domainName: string): Promise<DomainCensus> {
    return this.#read(domainName, (tx) => domainCensus(tx, domainName));
  }

  /** Every stored object of the domain with its profile. */
  placements(domainName: string): Promise<ObjectPlacement[]> {
    return this.#read(domainName, (tx) => objectPlacements(tx, domainName));
  }

  /** A value of `keyName` held by a profile of two or more object types (the lowest), or undefined. */
  keyOfJoinedProfile(domainName: string, keyName: string): Promise<string | undefined> {
    return this.#read(domainName, (tx) =>
      keyOfJoinedProfile(tx, domainName, keyName, this.d.profiles.profiles.sealer),
    );
  }

  /**
   * A read. SQLite: in one transaction, so its statements read one snapshot. PostgreSQL: without one. At
   * its default isolation, READ COMMITTED (profileflow does not change it; a server or role configured
   * otherwise loses nothing a read relies on), a transaction gives each statement its own snapshot all
   * the same, so BEGIN and COMMIT would only add two round trips to every search and get.
   */
  #read<T>(domainName: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const read = async (q: Queryable) => {
      await this.d.domains.requireExists(q, domainName);
      return fn(q);
    };
    return this.d.dialect === "postgres" ? read(this.d.db) : this.d.db.transaction().execute(read);
  }

  #write<T>(domainName: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return inDomainTransaction(this.d.db, this.d.dialect, domainName, async (tx) => {
      await this.d.domains.requireExists(tx, domainName);
      return fn(tx);
    });
  }
}
