import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import type { Database } from "../db/schema.ts";
import { type CompiledObjectType, type CompileOptions, compileObjectType } from "../ingest/index.ts";
import { inDomainTransaction, lockDomainIn } from "./domain-transaction.ts";
import { type IngestBatch, ingestBatch } from "./ingest-batch.ts";
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

interface CacheEntry {
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
      ingestBatch(
        trx,
        this.#batch(domainName, objectTypeName, compiled, priority, options),
        rawObjects,
        mapped,
      ),
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
    return ingestBatch(
      trx,
      this.#batch(domainName, objectTypeName, compiled, priority, options),
      rawObjects,
      mapped,
    );
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

  #batch(
    domainName: string,
    typeName: string,
    compiled: CompiledObjectType,
    priority: number | null,
    options: IngestOptions,
  ): IngestBatch {
    return {
      database: this.database,
      domainName,
      typeName,
      compiled,
      priority,
      now: this.clock.now(),
      performedBy: options.performedBy ?? "ingestion",
    };
  }
}
