import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../core/clock.ts";
import type { SecretBox } from "../core/secret-box.ts";
import type { Database } from "../db/schema.ts";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  name: string;
  isRoot: boolean;
  /** The IAM user the key belongs to; absent for the account root's key. */
  userName?: string;
  /** An `Inactive` key is refused like an unknown one (IAM UpdateAccessKey). Default `Active`. */
  status?: "Active" | "Inactive";
}

/** How long a key read from the database is trusted before it is read again (another process may have deactivated it). */
const CACHE_TTL_MS = 5_000;

/** Access keys the API accepts; secrets are sealed at rest and cached in memory once opened. */
export class AccessKeyStore {
  readonly #cache = new Map<string, { key: AccessKey; readAt: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** The key with this id, or undefined (read through `q`, a caller's transaction, when given). */
  async get(accessKeyId: string, q: Kysely<Database> = this.db): Promise<AccessKey | undefined> {
    const cached = this.#cache.get(accessKeyId);
    if (cached && this.clock.now() - cached.readAt < CACHE_TTL_MS) return cached.key;
    const row = await q
      .selectFrom("access_keys")
      .selectAll()
      .where("access_key_id", "=", accessKeyId)
      .executeTakeFirst();
    if (!row) return undefined;
    const key: AccessKey = {
      accessKeyId: row.access_key_id,
      secretAccessKey: this.box.open(row.secret_ciphertext),
      name: row.name,
      isRoot: Boolean(row.is_root),
    };
    if (row.status === "Inactive") key.status = "Inactive";
    if (row.user_name !== null) key.userName = row.user_name;
    this.#cache.set(accessKeyId, { key, readAt: this.clock.now() });
    return key;
  }

  /** Drops a key from the cache (after IAM deactivated or deleted it). */
  forget(accessKeyId: string): void {
    this.#cache.delete(accessKeyId);
  }

  /**
   * Creates or replaces a key; a new root key replaces the previous root, whose key stops working. One
   * transaction (the old root's removal and the new key's row go together): the caller's, `q`, when
   * given, else one of its own.
   */
  async put(key: AccessKey, q?: Kysely<Database>): Promise<void> {
    if (q === undefined) return this.db.transaction().execute((trx) => this.put(key, trx));
    const now = this.clock.now();
    const sealed = this.box.seal(key.secretAccessKey);
    if (key.isRoot) {
      const old = await q
        .deleteFrom("access_keys")
        .where("is_root", "=", 1)
        .where("access_key_id", "!=", key.accessKeyId)
        .returning("access_key_id")
        .execute();
      for (const o of old) this.#cache.delete(o.access_key_id);
    }
    await q
      .insertInto("access_keys")
      .values({
        access_key_id: key.accessKeyId,
        secret_ciphertext: sealed,
        name: key.name,
        is_root: key.isRoot ? 1 : 0,
        user_name: key.userName ?? null,
        status: key.status ?? "Active",
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column("access_key_id")
          .doUpdateSet({ secret_ciphertext: sealed, name: key.name, updated_at: now }),
      )
      .execute();
    this.#cache.set(key.accessKeyId, { key: { ...key }, readAt: now });
  }

  /** The root key, if one exists (read through `q`, a caller's transaction, when given). */
  async root(q: Kysely<Database> = this.db): Promise<AccessKey | undefined> {
    const row = await q
      .selectFrom("access_keys")
      .select("access_key_id")
      .where("is_root", "=", 1)
      .executeTakeFirst();
    return row ? this.get(row.access_key_id, q) : undefined;
  }
}

/** A new random key pair in the AWS shape (20-character id, 40-character secret). */
export function generateAccessKey(name: string, isRoot: boolean): AccessKey {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const id = Array.from(randomBytes(16), (b) => alphabet[b % 32]).join("");
  return {
    accessKeyId: `PFKI${id}`,
    secretAccessKey: randomBytes(30).toString("base64").replace(/[+/]/g, "x"),
    name,
    isRoot,
  };
}
