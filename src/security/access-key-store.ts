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
}

/** Access keys the API accepts; secrets are sealed at rest and cached in memory once opened. */
export class AccessKeyStore {
  readonly #cache = new Map<string, AccessKey>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** The key with this id, or undefined. */
  async get(accessKeyId: string): Promise<AccessKey | undefined> {
    const cached = this.#cache.get(accessKeyId);
    if (cached) return cached;
    const row = await this.db
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
    this.#cache.set(accessKeyId, key);
    return key;
  }

  /** Creates or replaces a key. */
  async put(key: AccessKey): Promise<void> {
    const now = this.clock.now();
    const sealed = this.box.seal(key.secretAccessKey);
    await this.db
      .insertInto("access_keys")
      .values({
        access_key_id: key.accessKeyId,
        secret_ciphertext: sealed,
        name: key.name,
        is_root: key.isRoot ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column("access_key_id")
          .doUpdateSet({ secret_ciphertext: sealed, name: key.name, updated_at: now }),
      )
      .execute();
    this.#cache.set(key.accessKeyId, { ...key });
  }

  /** The root key, if one exists. */
  async root(): Promise<AccessKey | undefined> {
    const row = await this.db
      .selectFrom("access_keys")
      .select("access_key_id")
      .where("is_root", "=", 1)
      .executeTakeFirst();
    return row ? this.get(row.access_key_id) : undefined;
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
