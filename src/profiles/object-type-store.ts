import type { Selectable } from "kysely";
import type { Clock } from "../core/clock.ts";
import { deepFreeze } from "../core/deep-freeze.ts";
import { notFound, ProfileflowError } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import type { ObjectTypesTable } from "../db/schema/domains.ts";
import { implicitObjectType, type ObjectTypeDefinition, resolveObjectType } from "../ingest/index.ts";
import { objectTypeDefinitionColumn } from "./object-type-definition-column.ts";

export type { ObjectTypeSource } from "./object-type-source.ts";

/** Object types per domain (service quota). */
export const MAX_OBJECT_TYPES_PER_DOMAIN = 100;

/** The most characters of stored definition text whose parsed forms are kept (the most recently used). */
const PARSED_KEPT_CHARS = 4_000_000;
/** A definition longer than this is parsed on each read (kept, a few such would fill the room of all). */
const PARSED_LONGEST = 256_000;

/** An object type as the API shows it. Timestamps are epoch milliseconds. */
export interface ObjectTypeRecord {
  domainName: string;
  /** Template members expanded; `TemplateId` kept when the type came from a template; no Tags. */
  definition: ObjectTypeDefinition;
  /** True when the type is not stored (or was stored by first use) and comes from its template. */
  implicit: boolean;
  /** False for a template type nobody has used or put yet (nothing stored, so no times of its own). */
  stored: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Object types of every domain: explicit ones as put, implicit ones from the built-in templates. */
export class ObjectTypeStore {
  /**
   * Parsed, expanded and frozen definitions by their stored text. Every ingested batch reads its type
   * (twice: once to map before its transaction, once inside it); parsing, checking and expanding the
   * text each time cost a put as much as its key lookup. The text says everything the definition is,
   * so equal texts give equal definitions, and a changed type is a new text.
   */
  readonly #parsed = new Map<string, ObjectTypeDefinition>();
  #parsedChars = 0;
  /** Definitions made from a stored row (kept in #parsed or not). */
  readonly #fromRows = new WeakSet<ObjectTypeDefinition>();

  constructor(private readonly clock: Clock) {}

  /** The effective definition (template expanded, implicit types included), or undefined. */
  async get(
    q: Queryable,
    domainName: string,
    objectTypeName: string,
  ): Promise<ObjectTypeDefinition | undefined> {
    return (await this.describe(q, domainName, objectTypeName))?.definition;
  }

  /** The type with its times and provenance, or undefined when the domain or the type does not exist. */
  async describe(
    q: Queryable,
    domainName: string,
    objectTypeName: string,
  ): Promise<ObjectTypeRecord | undefined> {
    const row = await q
      .selectFrom("object_types")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .executeTakeFirst();
    if (row) return this.#record(row);
    const implicit = implicitObjectType(objectTypeName);
    if (!implicit) return undefined;
    const domain = await q
      .selectFrom("domains")
      .select("created_at")
      .where("domain_name", "=", domainName)
      .executeTakeFirst();
    if (!domain) return undefined;
    return {
      domainName,
      definition: resolveObjectType(implicit),
      implicit: true,
      stored: false,
      createdAt: domain.created_at,
      updatedAt: domain.created_at,
    };
  }

  /**
   * Creates or replaces a validated definition (Tags are not stored here). RESOURCE_NOT_FOUND for a
   * missing domain, QUOTA_EXCEEDED past 100 types in a domain.
   */
  async put(q: Queryable, domainName: string, definition: ObjectTypeDefinition): Promise<ObjectTypeRecord> {
    const { Tags: _tags, ...stored } = definition;
    return this.#upsert(q, domainName, stored);
  }

  /**
   * Stores an implicit type on its first use (PutProfileObject, PutIntegration) so that it is listed
   * and can be deleted, as AWS does; a no-op when the type is already stored or is no template.
   * `read`: the definition the caller read through `q` in the same transaction, if any; when it came
   * from a stored row, the row is there and nothing is written (or even built).
   */
  async ensureImplicit(
    q: Queryable,
    domainName: string,
    objectTypeName: string,
    read?: ObjectTypeDefinition,
  ): Promise<void> {
    if (read !== undefined && this.#fromRows.has(read)) return;
    const implicit = implicitObjectType(objectTypeName);
    if (!implicit) return;
    const now = this.clock.now();
    // insert … select: a domain deleted meanwhile makes this a no-op instead of a foreign-key error.
    await q
      .insertInto("object_types")
      .columns(["domain_name", "object_type_name", "definition", "implicit", "created_at", "updated_at"])
      .expression((eb) =>
        eb
          .selectFrom("domains")
          .select([
            "domain_name",
            eb.val(objectTypeName).as("object_type_name"),
            eb.val(objectTypeDefinitionColumn.stringify(implicit)).as("definition"),
            eb.val(1).as("implicit"),
            eb.val(now).as("created_at"),
            eb.val(now).as("updated_at"),
          ])
          .where("domain_name", "=", domainName),
      )
      .onConflict((oc) => oc.columns(["domain_name", "object_type_name"]).doNothing())
      .execute();
  }

  /** One page of the stored types of a domain, ordered by name, after `after`. */
  async list(
    q: Queryable,
    domainName: string,
    page: { after?: string | undefined; limit: number },
  ): Promise<{ items: ObjectTypeRecord[]; more: boolean }> {
    let query = q
      .selectFrom("object_types")
      .selectAll()
      .where("domain_name", "=", domainName)
      .orderBy("object_type_name")
      .limit(page.limit + 1);
    if (page.after !== undefined) query = query.where("object_type_name", ">", page.after);
    const rows = await query.execute();
    return { items: rows.slice(0, page.limit).map((r) => this.#record(r)), more: rows.length > page.limit };
  }

  /** Deletes a type's own row (its objects and tags go first, through their deletion paths). */
  async delete(q: Queryable, domainName: string, objectTypeName: string): Promise<void> {
    await q
      .deleteFrom("object_types")
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", objectTypeName)
      .execute();
  }

  /** Deletes every object type of a domain (DeleteDomain). */
  async deleteForDomain(q: Queryable, domainName: string): Promise<void> {
    await q.deleteFrom("object_types").where("domain_name", "=", domainName).execute();
  }

  async #upsert(
    q: Queryable,
    domainName: string,
    definition: ObjectTypeDefinition,
  ): Promise<ObjectTypeRecord> {
    const name = definition.ObjectTypeName;
    const domain = await q
      .selectFrom("domains")
      .select("domain_name")
      .where("domain_name", "=", domainName)
      .executeTakeFirst();
    if (!domain) throw notFound(`Domain ${domainName} does not exist`, { member: "DomainName" });
    const count = await q
      .selectFrom("object_types")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("domain_name", "=", domainName)
      .where("object_type_name", "!=", name)
      .executeTakeFirstOrThrow();
    // Two racing creations may both pass this check; the quota is a guard rail, not an invariant.
    if (Number(count.n) >= MAX_OBJECT_TYPES_PER_DOMAIN) {
      throw new ProfileflowError(
        "QUOTA_EXCEEDED",
        `Domain ${domainName} already has ${MAX_OBJECT_TYPES_PER_DOMAIN} object types, the most allowed`,
        { member: "ObjectTypeName" },
      );
    }
    const now = this.clock.now();
    const text = objectTypeDefinitionColumn.stringify(definition);
    // An upsert, so concurrent puts of one name never collide on the primary key; created_at stays.
    await q
      .insertInto("object_types")
      .values({
        domain_name: domainName,
        object_type_name: name,
        definition: text,
        implicit: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(["domain_name", "object_type_name"])
          .doUpdateSet({ definition: text, implicit: 0, updated_at: now }),
      )
      .execute();
    const row = await q
      .selectFrom("object_types")
      .selectAll()
      .where("domain_name", "=", domainName)
      .where("object_type_name", "=", name)
      .executeTakeFirstOrThrow();
    return this.#record(row);
  }

  #record(row: Selectable<ObjectTypesTable>): ObjectTypeRecord {
    return {
      domainName: row.domain_name,
      definition: this.#definition(row.definition),
      implicit: row.implicit === 1,
      stored: true,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** The stored text's definition, parsed (and checked), templates expanded, frozen: see #parsed. */
  #definition(text: ObjectTypesTable["definition"]): ObjectTypeDefinition {
    const kept = this.#parsed.get(text);
    if (kept) {
      // Used now: to the end of the map's order, the last to be dropped.
      this.#parsed.delete(text);
      this.#parsed.set(text, kept);
      return kept;
    }
    const definition = deepFreeze(resolveObjectType(objectTypeDefinitionColumn.parse(text)));
    this.#fromRows.add(definition);
    if (text.length > PARSED_LONGEST) return definition;
    for (const old of this.#parsed.keys()) {
      if (this.#parsedChars + text.length <= PARSED_KEPT_CHARS) break;
      this.#parsed.delete(old);
      this.#parsedChars -= old.length;
    }
    this.#parsed.set(text, definition);
    this.#parsedChars += text.length;
    return definition;
  }
}
