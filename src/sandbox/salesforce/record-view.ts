import type { ObjectStore, RecordVersion } from "../core/index.ts";
import { sfDateTime } from "./fields.ts";

export const USER_ID = "005Sb0000000001AAA";

/**
 * One row as `fullRecord` shows it, read field by field: the system fields come straight from the version and
 * the vendor fields are generated only when a field outside the system set is asked for. One instance is
 * reused across a whole scan, so filtering and rendering build no per-row record object.
 */
export class RecordView {
  readonly store: ObjectStore;
  #v: RecordVersion | undefined;
  #fields: Readonly<Record<string, unknown>> | undefined;
  #id: string | undefined;
  #stamp: string | undefined;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  /** Points the view at version `v`. */
  at(v: RecordVersion): this {
    this.#v = v;
    this.#fields = undefined;
    this.#id = undefined;
    this.#stamp = undefined;
    return this;
  }

  /** The current version. */
  get version(): RecordVersion {
    return this.#v!;
  }

  /** The record's Id. */
  get id(): string {
    this.#id ??= this.store.def.idOf(this.#v!.index);
    return this.#id;
  }

  /** What `fullRecord(store, v)[name]` holds. */
  value(name: string): unknown {
    const v = this.#v!;
    switch (name) {
      case "Id":
        return this.id;
      case "IsDeleted":
        return v.deleted;
      case "CreatedDate":
        return sfDateTime(v.createdAt);
      case "CreatedById":
      case "LastModifiedById":
        return USER_ID;
      case "LastModifiedDate":
      case "SystemModstamp":
        this.#stamp ??= sfDateTime(v.stamp);
        return this.#stamp;
      default:
        this.#fields ??= this.store.fields(v);
        return this.#fields[name];
    }
  }

  /**
   * The value to compare a datetime field by: epoch ms for the store-owned datetimes (what parsing their
   * rendered form gives back, without rendering), the plain value otherwise.
   */
  compareValue(name: string): unknown {
    if (name === "SystemModstamp" || name === "LastModifiedDate") return this.#v!.stamp;
    if (name === "CreatedDate") return this.#v!.createdAt;
    return this.value(name);
  }

  /** The ISO form (`…Z`) of a store-owned datetime, or undefined for other fields (Bulk CSV renders these). */
  isoValue(name: string): string | undefined {
    const ms =
      name === "SystemModstamp" || name === "LastModifiedDate"
        ? this.#v!.stamp
        : name === "CreatedDate"
          ? this.#v!.createdAt
          : undefined;
    if (ms === undefined) return undefined;
    const s = new Date(ms).toISOString();
    // Years outside 0000–9999 render differently; leave those to the generic path.
    return s.length === 24 ? s : undefined;
  }
}

/** The full record of a version: generated/overlay fields plus the system fields the store owns. */
export function fullRecord(store: ObjectStore, v: RecordVersion): Record<string, unknown> {
  return {
    ...store.fields(v),
    Id: store.def.idOf(v.index),
    IsDeleted: v.deleted,
    CreatedDate: sfDateTime(v.createdAt),
    CreatedById: USER_ID,
    LastModifiedDate: sfDateTime(v.stamp),
    LastModifiedById: USER_ID,
    SystemModstamp: sfDateTime(v.stamp),
  };
}
