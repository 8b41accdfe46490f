import type { ProfileArns } from "../core/arns.ts";
import { notFound } from "../core/errors.ts";
import type { DialectName } from "../db/dialect.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ObjectTypeDefinition } from "../ingest/index.ts";
import type { DomainStore } from "../profiles/domain-store.ts";
import { inDomainTransaction } from "../profiles/domain-transaction.ts";
import type { ObjectTypeSource } from "../profiles/object-type-source.ts";
import type { ObjectTypeRecord, ObjectTypeStore } from "../profiles/object-type-store.ts";
import type { ProfileLifecycle } from "../profiles/profile-lifecycle.ts";
import type { TagService } from "./tag-service.ts";

/** An object type with its tags. */
export interface ObjectTypeView {
  record: ObjectTypeRecord;
  tags: Record<string, string>;
}

export interface ObjectTypeServiceDeps {
  db: Queryable;
  dialect: DialectName;
  domains: DomainStore;
  objectTypes: ObjectTypeStore;
  tags: TagService;
  arns: ProfileArns;
  /** The objects of a type, deleted with it. */
  objects: Pick<ProfileLifecycle, "deleteForObjectTypeIn">;
}

/**
 * PutProfileObjectType, GetProfileObjectType, ListProfileObjectTypes, DeleteProfileObjectType: each
 * one transaction. Also the ObjectTypeSource of the profiles and flows (each call its own read).
 */
export class ObjectTypeService implements ObjectTypeSource {
  constructor(private readonly d: ObjectTypeServiceDeps) {}

  /** Creates or replaces a validated definition and adds its Tags. RESOURCE_NOT_FOUND for a missing domain. */
  put(domainName: string, definition: ObjectTypeDefinition): Promise<ObjectTypeView> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.require(tx, domainName);
      const record = await this.d.objectTypes.put(tx, domainName, definition);
      const arn = this.d.arns.objectType(domainName, definition.ObjectTypeName);
      if (definition.Tags) await this.d.tags.tagIn(tx, arn, definition.Tags);
      return { record, tags: await this.d.tags.listIn(tx, arn) };
    });
  }

  /** The type (template types included) with its tags; RESOURCE_NOT_FOUND for a missing domain or type. */
  describe(domainName: string, objectTypeName: string): Promise<ObjectTypeView> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.require(tx, domainName);
      const record = await this.#require(tx, domainName, objectTypeName);
      return {
        record,
        tags: await this.d.tags.listIn(tx, this.d.arns.objectType(domainName, objectTypeName)),
      };
    });
  }

  /** One page of a domain's stored types, ordered by name, with their tags. */
  list(
    domainName: string,
    page: { after?: string | undefined; limit: number },
  ): Promise<{ items: ObjectTypeView[]; more: boolean }> {
    return this.d.db.transaction().execute(async (tx) => {
      await this.d.domains.require(tx, domainName);
      const { items, more } = await this.d.objectTypes.list(tx, domainName, page);
      const out: ObjectTypeView[] = [];
      for (const record of items) {
        const arn = this.d.arns.objectType(domainName, record.definition.ObjectTypeName);
        out.push({ record, tags: await this.d.tags.listIn(tx, arn) });
      }
      return { items: out, more };
    });
  }

  /**
   * Deletes a type with its objects (re-deriving the fields they fed) and its tags, under the domain's
   * lock. RESOURCE_NOT_FOUND when there is no such type; a template name with nothing stored is
   * deleted successfully and stays usable implicitly.
   */
  delete(domainName: string, objectTypeName: string): Promise<void> {
    return inDomainTransaction(this.d.db, this.d.dialect, domainName, async (tx) => {
      await this.d.domains.require(tx, domainName);
      await this.#require(tx, domainName, objectTypeName);
      await this.d.objects.deleteForObjectTypeIn(tx, domainName, objectTypeName);
      await this.d.tags.clearIn(tx, this.d.arns.objectType(domainName, objectTypeName));
      await this.d.objectTypes.delete(tx, domainName, objectTypeName);
    });
  }

  /** DeleteDomain's cascade: every object type of the domain, with its tags (objects go with the profiles). */
  async deleteForDomainIn(tx: Queryable, domainName: string): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const { items, more } = await this.d.objectTypes.list(tx, domainName, { after, limit: 100 });
      for (const r of items) {
        await this.d.tags.clearIn(tx, this.d.arns.objectType(domainName, r.definition.ObjectTypeName));
      }
      if (!more) break;
      after = items.at(-1)?.definition.ObjectTypeName;
    }
    await this.d.objectTypes.deleteForDomain(tx, domainName);
  }

  /** The effective definition, or undefined when the domain or the type does not exist (its own read). */
  get(domainName: string, objectTypeName: string): Promise<ObjectTypeDefinition | undefined> {
    return this.d.objectTypes.get(this.d.db, domainName, objectTypeName);
  }

  /** The effective definition inside a caller's transaction. */
  getIn(q: Queryable, domainName: string, objectTypeName: string): Promise<ObjectTypeDefinition | undefined> {
    return this.d.objectTypes.get(q, domainName, objectTypeName);
  }

  /** Stores an implicit (template) type on its first use, so it is listed and can be deleted (its own transaction). */
  ensureImplicit(domainName: string, objectTypeName: string): Promise<void> {
    return this.d.db.transaction().execute((tx) => this.ensureImplicitIn(tx, domainName, objectTypeName));
  }

  ensureImplicitIn(
    tx: Queryable,
    domainName: string,
    objectTypeName: string,
    read?: ObjectTypeDefinition,
  ): Promise<void> {
    return this.d.objectTypes.ensureImplicit(tx, domainName, objectTypeName, read);
  }

  /** Whether the type exists (template types included); for the tag operations. */
  async existsIn(q: Queryable, domainName: string, objectTypeName: string): Promise<boolean> {
    return (await this.d.objectTypes.describe(q, domainName, objectTypeName)) !== undefined;
  }

  async #require(q: Queryable, domainName: string, objectTypeName: string): Promise<ObjectTypeRecord> {
    const record = await this.d.objectTypes.describe(q, domainName, objectTypeName);
    if (!record) {
      throw notFound(`Object type ${objectTypeName} does not exist in domain ${domainName}`, {
        member: "ObjectTypeName",
      });
    }
    return record;
  }
}
