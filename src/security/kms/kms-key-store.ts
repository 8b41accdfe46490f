import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { ProfileflowError } from "../../core/errors.ts";
import { uuid } from "../../core/ids.ts";
import type { SecretBox } from "../../core/secret-box.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { KmsKeyState, KmsKeysTable } from "../../db/schema/kms.ts";

export type KeyState = KmsKeyState;

/** A customer managed KMS key, without its material. */
export interface KmsKey {
  keyId: string;
  arn: string;
  description: string;
  state: KeyState;
  keyUsage: string;
  policy: string;
  createdAt: number;
  deletionDate: number | undefined;
  pendingWindowDays: number | undefined;
}

/** An alias and the key it points at. */
export interface KmsAlias {
  aliasName: string;
  aliasArn: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * KMS keys and aliases. A key's 256-bit material is generated here and stored only sealed by the
 * master key's SecretBox; `material` unseals it for one cryptographic operation.
 */
export class KmsKeyStore {
  constructor(
    private readonly box: SecretBox,
    private readonly clock: Clock,
    readonly region: string,
    readonly account: string,
  ) {}

  /** `arn:aws:kms:{region}:{account}:` — the prefix of this server's key and alias ARNs. */
  get arnPrefix(): string {
    return `arn:aws:kms:${this.region}:${this.account}:`;
  }

  /** Creates an enabled key with fresh material. */
  async create(q: Queryable, o: { description: string; keyUsage: string; policy: string }): Promise<KmsKey> {
    const keyId = uuid();
    const row: KmsKeysTable = {
      key_id: keyId,
      arn: `${this.arnPrefix}key/${keyId}`,
      description: o.description,
      key_state: "Enabled",
      key_usage: o.keyUsage,
      policy: o.policy,
      material_sealed: this.box.seal(randomBytes(32).toString("base64")),
      created_at: this.clock.now(),
      deletion_date: null,
      pending_window_days: null,
    };
    await q.insertInto("kms_keys").values(row).execute();
    return toKey(row);
  }

  /**
   * The key named by key id, key ARN, alias name or alias ARN; NotFoundException when there is none.
   * DomainKeys reads a key's `key_state` itself, joined to the domain's wrapped data key
   * (`#wrappedWithState`): a state worked out at read time here would have to be worked out there too.
   */
  async resolve(q: Queryable, id: string): Promise<KmsKey> {
    const keyId = await this.keyIdOf(q, id);
    const row =
      keyId && (await q.selectFrom("kms_keys").selectAll().where("key_id", "=", keyId).executeTakeFirst());
    if (!row) throw notFoundKey(id);
    return toKey(row);
  }

  /** The key id `id` names (alias followed), or undefined; KMS_INVALID_ARN for an ARN that is not a KMS one. */
  async keyIdOf(q: Queryable, id: string): Promise<string | undefined> {
    if (KEY_ID.test(id)) return id;
    let name = id;
    if (id.startsWith("arn:")) {
      const m = /^arn:aws:kms:([^:]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(id);
      if (!m) throw new ProfileflowError("KMS_INVALID_ARN", `'${id}' is not a valid KMS key or alias ARN.`);
      if (m[1] !== this.region || m[2] !== this.account) return undefined;
      if (m[3]!.startsWith("key/")) return m[3]!.slice(4);
      name = m[3]!;
    }
    if (!name.startsWith("alias/")) return undefined;
    const alias = await q
      .selectFrom("kms_aliases")
      .select("target_key_id")
      .where("alias_name", "=", name)
      .executeTakeFirst();
    return alias?.target_key_id;
  }

  /**
   * The key's material, unsealed. Written once when the key is created and never changed: DomainKeys
   * keeps what it unwrapped under a key on that ground. Rotation or imported material, if ever added,
   * must make it unwrap again.
   */
  async material(q: Queryable, keyId: string): Promise<Buffer> {
    const row = await q
      .selectFrom("kms_keys")
      .select("material_sealed")
      .where("key_id", "=", keyId)
      .executeTakeFirstOrThrow();
    return Buffer.from(this.box.open(row.material_sealed), "base64");
  }

  /** Keys in key id order after `marker`, one more than `limit` to tell whether the list is truncated. */
  async list(q: Queryable, limit: number, marker: string | undefined): Promise<KmsKey[]> {
    let query = q
      .selectFrom("kms_keys")
      .selectAll()
      .orderBy("key_id")
      .limit(limit + 1);
    if (marker) query = query.where("key_id", ">", marker);
    return (await query.execute()).map(toKey);
  }

  /** Sets a key's state (and its deletion date and window, for PendingDeletion). */
  async setState(
    q: Queryable,
    keyId: string,
    state: KeyState,
    deletion?: { date: number; windowDays: number },
  ): Promise<void> {
    await q
      .updateTable("kms_keys")
      .set({
        key_state: state,
        deletion_date: deletion?.date ?? null,
        pending_window_days: deletion?.windowDays ?? null,
      })
      .where("key_id", "=", keyId)
      .execute();
  }

  async setPolicy(q: Queryable, keyId: string, policy: string): Promise<void> {
    await q.updateTable("kms_keys").set({ policy }).where("key_id", "=", keyId).execute();
  }

  /**
   * Deletes the keys whose deletion date has come (with their aliases and grants): their material is
   * gone, so every ciphertext under them is unreadable for good. Returns the deleted keys' ARNs.
   */
  async deleteDue(q: Queryable, now: number): Promise<string[]> {
    const due = await q
      .selectFrom("kms_keys")
      .select(["key_id", "arn"])
      .where("key_state", "=", "PendingDeletion")
      .where("deletion_date", "<=", now)
      .execute();
    if (due.length === 0) return [];
    const ids = due.map((d) => d.key_id);
    await q.deleteFrom("kms_aliases").where("target_key_id", "in", ids).execute();
    await q.deleteFrom("kms_grants").where("key_id", "in", ids).execute();
    await q.deleteFrom("kms_keys").where("key_id", "in", ids).execute();
    return due.map((d) => d.arn);
  }

  async alias(q: Queryable, aliasName: string): Promise<KmsAlias | undefined> {
    const row = await q
      .selectFrom("kms_aliases")
      .selectAll()
      .where("alias_name", "=", aliasName)
      .executeTakeFirst();
    return row && this.toAlias(row);
  }

  async putAlias(q: Queryable, aliasName: string, targetKeyId: string, existing: boolean): Promise<void> {
    const now = this.clock.now();
    if (existing) {
      await q
        .updateTable("kms_aliases")
        .set({ target_key_id: targetKeyId, updated_at: now })
        .where("alias_name", "=", aliasName)
        .execute();
    } else {
      await q
        .insertInto("kms_aliases")
        .values({ alias_name: aliasName, target_key_id: targetKeyId, created_at: now, updated_at: now })
        .execute();
    }
  }

  async deleteAlias(q: Queryable, aliasName: string): Promise<void> {
    await q.deleteFrom("kms_aliases").where("alias_name", "=", aliasName).execute();
  }

  /** Aliases in name order after `marker` (of one key when given), one more than `limit`. */
  async aliases(q: Queryable, o: { keyId?: string; limit: number; marker?: string }): Promise<KmsAlias[]> {
    let query = q
      .selectFrom("kms_aliases")
      .selectAll()
      .orderBy("alias_name")
      .limit(o.limit + 1);
    if (o.keyId) query = query.where("target_key_id", "=", o.keyId);
    if (o.marker) query = query.where("alias_name", ">", o.marker);
    return (await query.execute()).map((r) => this.toAlias(r));
  }

  private toAlias(r: { alias_name: string; target_key_id: string; created_at: number; updated_at: number }) {
    return {
      aliasName: r.alias_name,
      aliasArn: `${this.arnPrefix}${r.alias_name}`,
      targetKeyId: r.target_key_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}

/** NotFoundException for a key id, ARN or alias that names no key. */
export function notFoundKey(id: string): ProfileflowError {
  return new ProfileflowError("RESOURCE_NOT_FOUND", `Key '${id}' does not exist`, { keyId: id });
}

function toKey(row: KmsKeysTable): KmsKey {
  return {
    keyId: row.key_id,
    arn: row.arn,
    description: row.description,
    state: row.key_state,
    keyUsage: row.key_usage,
    policy: row.policy,
    createdAt: row.created_at,
    deletionDate: row.deletion_date ?? undefined,
    pendingWindowDays: row.pending_window_days ?? undefined,
  };
}
