import type { Queryable } from "../db/queryable.ts";
import type { ObjectTypeDefinition } from "../ingest/index.ts";

/**
 * Where profiles read object types from, each call its own read. `ObjectTypeService`
 * (src/services/object-type-service.ts) satisfies it:
 * the effective definition, template expanded, implicit template types included; undefined when the
 * domain or the type does not exist.
 */
export interface ObjectTypeSource {
  /** The definition, read on its own. */
  get(domainName: string, objectTypeName: string): Promise<ObjectTypeDefinition | undefined>;
  /** The definition, read inside the caller's transaction. */
  getIn(q: Queryable, domainName: string, objectTypeName: string): Promise<ObjectTypeDefinition | undefined>;
  /**
   * Records an implicit (template) type on its first use, inside the caller's transaction; optional.
   * `read`: what getIn returned through `q` in that transaction (nothing is written when it came from a
   * stored row).
   */
  ensureImplicitIn?(
    q: Queryable,
    domainName: string,
    objectTypeName: string,
    read?: ObjectTypeDefinition,
  ): Promise<void>;
}

/** Whether a domain exists; `DomainService` satisfies it. */
export interface DomainLookup {
  get(domainName: string): Promise<unknown>;
}
