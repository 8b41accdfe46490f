import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";
import {
  type CompiledObjectType,
  type CompileOptions,
  compileObjectType,
  type MappedObject,
  type MapResult,
  type ObjectTypeDefinition,
  profileKeys,
} from "../ingest/index.ts";
import { type DomainSealer, plainSealer } from "./domain-sealer.ts";
import { inDomainTransaction, lockDomainIn } from "./domain-transaction.ts";
import { type IngestBatch, ingestBatch } from "./ingest-batch.ts";
import { payloadText } from "./ingest-rows.ts";
import type { IngestDatabase, IngestOptions, IngestSummary } from "./ingest-types.ts";
import type { ObjectTypeSource } from "./object-type-source.ts";
import { deleteSourceObjects, type SourceDeletion } from "./source-deletions.ts";

export type {
  IngestDatabase,
  IngestOptions,
  IngestResult,
  IngestStatus,
  IngestSummary,
} from "./ingest-types.ts";

/** A record mapped ahead (for a later part or page), with the payload text it is stored as. */
interface MappedAhead {
  compiled: CompiledObjectType;
  mapped: MapResult;
  payload: string;
}

interface CacheEntry {
  /** The definition last compiled or found equal (identity says "unchanged" only for a frozen one). */
  definition: ObjectTypeDefinition;
  fingerprint: string;
  compiled: CompiledObjectType;
  priority: number | null;
}

/**
 * Identity resolution and storage of source objects: the one write path for PutProfileObject and
 * the flows engine. A batch is resolved and written in ONE transaction holding the domain lock;
 * lookups are done in bulk up front and writes as multi-row statements at the end.
 */
export class ProfileIngestor {
  readonly #cache = new Map<string, CacheEntry>();
  /** Records of a later part or page, mapped while the ones before them were written; each taken once. */
  readonly #ahead = new WeakMap<object, MappedAhead>();

  constructor(
    private readonly database: IngestDatabase,
    private readonly objectTypes: ObjectTypeSource,
    private readonly clock: Clock,
    private readonly compileOptions: CompileOptions = {},
    private readonly sealer: DomainSealer = plainSealer,
  ) {}

  /**
   * The compiled mapping read inside `trx`. An implicit template type is stored with the batch that
   * first uses it (a no-op once stored), so it is listed and can be deleted, as AWS does.
   */
  async #compiledIn(trx: Kysely<Database>, domainName: string, objectTypeName: string): Promise<CacheEntry> {
    const def = await this.objectTypes.getIn(trx, domainName, objectTypeName);
    const entry = this.#entry(domainName, objectTypeName, def);
    await this.objectTypes.ensureImplicitIn?.(trx, domainName, objectTypeName, def);
    return entry;
  }

  #entry(domainName: string, objectTypeName: string, def: ObjectTypeDefinition | undefined): CacheEntry {
    if (!def) {
      throw notFound(`Object type ${objectTypeName} does not exist in domain ${domainName}`, {
        member: "ObjectTypeName",
      });
    }
    const cacheKey = `${domainName}\u0000${objectTypeName}`;
    const cached = this.#cache.get(cacheKey);
    // The same frozen definition (a store hands it back while the stored text is unchanged): nothing to compare.
    if (cached && cached.definition === def && Object.isFrozen(def)) return cached;
    const fingerprint = JSON.stringify(def);
    if (cached && cached.fingerprint === fingerprint) {
      cached.definition = def;
      return cached;
    }
    const entry = {
      definition: def,
      fingerprint,
      compiled: compileObjectType(def, this.compileOptions),
      priority: def.SourcePriority ?? null,
    };
    this.#cache.set(cacheKey, entry);
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
    // Mapped before the transaction (its lock is held for the writes only), then read again inside it.
    const def = await this.objectTypes.get(domainName, objectTypeName);
    const { compiled } = this.#entry(domainName, objectTypeName, def);
    const mapped = rawObjects.map((r) => compiled.map(r));
    const { db, dialect } = this.database;
    return inDomainTransaction(db, dialect, domainName, async (trx) => {
      const entry = await this.#compiledIn(trx, domainName, objectTypeName);
      const current = entry.compiled === compiled ? mapped : rawObjects.map((r) => entry.compiled.map(r));
      const batch = this.#batch(domainName, objectTypeName, entry.compiled, entry.priority, options);
      return ingestBatch(
        trx,
        { ...batch, boxes: await this.sealer.boxesIn(trx, domainName) },
        rawObjects,
        current,
      );
    });
  }

  /**
   * ingestObjects inside a transaction the caller holds (the flows engine commits each page with its
   * checkpoint); the object type is read through `trx`. With `partLimit`, only the first objects are
   * ingested — when the type has a UNIQUE key, which every accepted object then carries, so one read
   * again (IngestOptions.replay) is recognised as stored; without one each object gets a fresh
   * ProfileObjectUniqueKey, a second ingestion would store a second object, and all are taken.
   * `consumed` says how many were.
   */
  async ingestInTransaction(
    trx: Kysely<Database>,
    domainName: string,
    objectTypeName: string,
    rawObjects: readonly unknown[],
    options: IngestOptions & { partLimit?: number | undefined } = {},
  ): Promise<IngestSummary & { consumed: number }> {
    await lockDomainIn(trx, this.database.dialect, domainName);
    const { compiled, priority } = await this.#compiledIn(trx, domainName, objectTypeName);
    const limit = options.partLimit;
    const raws =
      limit !== undefined && limit < rawObjects.length && compiled.hasUniqueKey
        ? rawObjects.slice(0, limit)
        : rawObjects;
    const payloads: string[] = [];
    const mapped = raws.map((r) => {
      const ahead = this.#takeAhead(compiled, r);
      payloads.push(ahead?.payload ?? payloadText(r));
      return ahead?.mapped ?? compiled.map(r);
    });
    const batch = this.#batch(domainName, objectTypeName, compiled, priority, options);
    const boxes = await this.sealer.boxesIn(trx, domainName, { prefetched: true });
    // The next part (this one's size): mapped now, its payloads sealed and its keys indexed by the seal
    // worker while this part is written, so it finds them done. One part's worth: the mapping moves from
    // that part's transaction to this one, and this part stays within its time budget.
    if (this.canPrefetch)
      this.#prefetch(domainName, compiled, rawObjects.slice(raws.length, raws.length * 2));
    const summary = await ingestBatch(trx, { ...batch, boxes }, raws, mapped, payloads);
    return { ...summary, consumed: raws.length };
  }

  #takeAhead(compiled: CompiledObjectType, raw: unknown): MappedAhead | undefined {
    if (typeof raw !== "object" || raw === null) return undefined;
    const ahead = this.#ahead.get(raw);
    if (!ahead) return undefined;
    this.#ahead.delete(raw);
    return ahead.compiled === compiled ? ahead : undefined;
  }

  /** Whether `prefetch` does anything: the sealer seals ahead (a seal worker; `sealAhead`). */
  get canPrefetch(): boolean {
    return this.sealer.prefetch !== undefined;
  }

  /**
   * Records that a later ingestInTransaction of this domain and type will get (a flow's next page): mapped
   * now with the type as last compiled, their payloads sealed and their keys blind-indexed by the seal
   * worker meanwhile (DomainSealer.prefetch). Nothing is written; a record whose type changed by then is
   * mapped again. A no-op for a sealer that cannot, or a type not ingested yet in this process.
   */
  prefetch(domainName: string, objectTypeName: string, rawObjects: readonly unknown[]): void {
    const entry = this.#cache.get(`${domainName}\u0000${objectTypeName}`);
    if (entry) this.#prefetch(domainName, entry.compiled, rawObjects);
  }

  /** Maps `raws` and asks the sealer to seal their payloads and index their keys ahead. */
  #prefetch(domainName: string, compiled: CompiledObjectType, raws: readonly unknown[]): void {
    if (!this.sealer.prefetch || raws.length === 0) return;
    const plaintexts: string[] = [];
    const pairs: { name: string; value: string }[] = [];
    for (const raw of raws) {
      // Not a JSON object (its text is its payload), or mapped ahead already (its page was read ahead).
      if (typeof raw !== "object" || raw === null || this.#ahead.has(raw)) continue;
      const ahead = { compiled, mapped: compiled.map(raw), payload: payloadText(raw) };
      this.#ahead.set(raw, ahead);
      if (!ahead.mapped.ok) continue;
      plaintexts.push(ahead.payload);
      for (const k of ahead.mapped.keys) pairs.push({ name: k.name, value: k.value });
      for (const k of profileKeys(createdProfile(ahead.mapped))) pairs.push({ name: k.name, value: k.value });
    }
    try {
      this.sealer.prefetch(domainName, { seals: [{ place: "profile_objects.payload", plaintexts }], pairs });
    } catch {
      // Only an optimization: the part that stores these records seals them inline.
    }
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
    await lockDomainIn(trx, this.database.dialect, domainName);
    const { compiled } = await this.#compiledIn(trx, domainName, objectTypeName);
    return deleteSourceObjects(trx, this.database.dialect, this.clock.now(), {
      domainName,
      boxes: await this.sealer.boxesIn(trx, domainName),
      objectTypeName,
      compiled,
      deletions,
      performedBy: options.performedBy ?? "ingestion",
    });
  }

  #batch(
    domainName: string,
    typeName: string,
    compiled: CompiledObjectType,
    priority: number | null,
    options: IngestOptions,
  ): Omit<IngestBatch, "boxes"> {
    return {
      database: this.database,
      domainName,
      typeName,
      compiled,
      priority,
      now: this.clock.now(),
      performedBy: options.performedBy ?? "ingestion",
      replay: options.replay,
    };
  }
}

/**
 * The fields of a profile the object would create (its profile fields, and its first email and phone
 * where it targets none): the predefined search keys of such a profile are those of these fields.
 */
function createdProfile(m: MappedObject): MappedObject["profile"] {
  const profile = { ...m.profile };
  if (profile.EmailAddress === undefined && m.inferred.EmailAddress !== undefined)
    profile.EmailAddress = m.inferred.EmailAddress;
  if (profile.PhoneNumber === undefined && m.inferred.PhoneNumber !== undefined)
    profile.PhoneNumber = m.inferred.PhoneNumber;
  return profile;
}
