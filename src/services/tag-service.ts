import { notFound } from "../core/errors.ts";
import type { Queryable } from "../db/queryable.ts";
import { TagStore } from "./tag-store.ts";

/** Answers whether an ARN names an existing resource, reading through `q`. */
export type ResourceExists = (q: Queryable, arn: string) => Promise<boolean>;

/**
 * Tags of every resource. Each public method is one operation in one transaction; the `…In`
 * methods run inside a caller's transaction (a resource's own service tags or clears it with its
 * other changes) and never open one.
 */
export class TagService {
  readonly #store = new TagStore();

  constructor(
    private readonly db: Queryable,
    /** Whether a resource exists (TagResource, UntagResource, ListTagsForResource refuse unknown ARNs). */
    private readonly exists: ResourceExists = async () => true,
  ) {}

  /** ListTagsForResource: RESOURCE_NOT_FOUND for an unknown resource. */
  listForResource(arn: string): Promise<Record<string, string>> {
    return this.db.transaction().execute(async (tx) => {
      await this.#requireResource(tx, arn);
      return this.#store.list(tx, arn);
    });
  }

  /** TagResource: adds or overwrites tags of an existing resource. */
  tagResource(arn: string, tags: Record<string, string>): Promise<void> {
    return this.db.transaction().execute(async (tx) => {
      await this.#requireResource(tx, arn);
      await this.#store.tag(tx, arn, tags);
    });
  }

  /** UntagResource: removes tag keys of an existing resource. */
  untagResource(arn: string, keys: string[]): Promise<void> {
    return this.db.transaction().execute(async (tx) => {
      await this.#requireResource(tx, arn);
      await this.#store.untag(tx, arn, keys);
    });
  }

  /** The tags of a resource (no existence check). */
  list(arn: string): Promise<Record<string, string>> {
    return this.listIn(this.db, arn);
  }

  /** Adds or overwrites tags (no existence check), in its own transaction. */
  tag(arn: string, tags: Record<string, string>): Promise<void> {
    return this.db.transaction().execute((tx) => this.tagIn(tx, arn, tags));
  }

  /** Removes every tag of a resource, in its own transaction. */
  clear(arn: string): Promise<void> {
    return this.db.transaction().execute((tx) => this.clearIn(tx, arn));
  }

  listIn(q: Queryable, arn: string): Promise<Record<string, string>> {
    return this.#store.list(q, arn);
  }

  tagIn(q: Queryable, arn: string, tags: Record<string, string>): Promise<void> {
    return this.#store.tag(q, arn, tags);
  }

  untagIn(q: Queryable, arn: string, keys: string[]): Promise<void> {
    return this.#store.untag(q, arn, keys);
  }

  clearIn(q: Queryable, arn: string): Promise<void> {
    return this.#store.clear(q, arn);
  }

  /** Removes the tags of a resource and of everything under its ARN (a domain's object types, integrations). */
  clearTreeIn(q: Queryable, arn: string): Promise<void> {
    return this.#store.clearTree(q, arn);
  }

  async #requireResource(q: Queryable, arn: string): Promise<void> {
    if (!(await this.exists(q, arn))) throw notFound(`Resource ${arn} does not exist`);
  }
}
