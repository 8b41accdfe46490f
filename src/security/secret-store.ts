import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import { uuid } from "../core/ids.ts";
import type { SecretBox } from "../core/secret-box.ts";
import type { Queryable } from "../db/queryable.ts";
import type { Database } from "../db/schema.ts";

export interface StoredSecret {
  name: string;
  arn: string;
  description: string | undefined;
  kmsKeyId: string | undefined;
  versionId: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | undefined;
}

/**
 * Secrets kept where AWS would use Secrets Manager (Salesforce's `clientCredentialsArn`), sealed with
 * the master key. Only the current version is kept.
 */
export class SecretStore {
  constructor(
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly arnPrefix: string,
  ) {}

  /** Creates a secret; ALREADY_EXISTS if the name is taken (even when scheduled for deletion). */
  async create(
    q: Queryable,
    o: {
      name: string;
      secretString: string;
      description?: string | undefined;
      kmsKeyId?: string | undefined;
    },
  ): Promise<StoredSecret> {
    const now = this.clock.now();
    const suffix = randomBytes(6).toString("base64url").slice(0, 6);
    const row = {
      name: o.name,
      arn: `${this.arnPrefix}${o.name}-${suffix}`,
      description: o.description ?? null,
      kms_key_id: o.kmsKeyId ?? null,
      secret_sealed: this.box.seal(o.secretString),
      version_id: uuid(),
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    const taken = await q.selectFrom("secrets").select("name").where("name", "=", o.name).executeTakeFirst();
    if (taken)
      throw new ProfileflowError(
        "ALREADY_EXISTS",
        `The operation failed because the secret ${o.name} already exists.`,
      );
    await q.insertInto("secrets").values(row).execute();
    return toSecret(row);
  }

  /** Finds a secret by name or ARN (also while scheduled for deletion). */
  async find(q: Queryable, id: string): Promise<StoredSecret | undefined> {
    const row = await q
      .selectFrom("secrets")
      .selectAll()
      .where((eb) => eb.or([eb("name", "=", id), eb("arn", "=", id)]))
      .executeTakeFirst();
    return row ? toSecret(row) : undefined;
  }

  /** The secret string of a live secret; RESOURCE_NOT_FOUND when absent or deleted. */
  async value(q: Queryable, id: string): Promise<{ secret: StoredSecret; secretString: string }> {
    const row = await q
      .selectFrom("secrets")
      .selectAll()
      .where((eb) => eb.or([eb("name", "=", id), eb("arn", "=", id)]))
      .executeTakeFirst();
    if (!row)
      throw new ProfileflowError("RESOURCE_NOT_FOUND", "Secrets Manager can't find the specified secret.");
    if (row.deleted_at !== null) {
      throw new ProfileflowError(
        "UNSUPPORTED_OPERATION",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return { secret: toSecret(row), secretString: this.box.open(row.secret_sealed) };
  }

  /** Stores a new current version. */
  async put(q: Queryable, id: string, secretString: string): Promise<StoredSecret> {
    const { secret } = await this.value(q, id);
    const versionId = uuid();
    const now = this.clock.now();
    await q
      .updateTable("secrets")
      .set({ secret_sealed: this.box.seal(secretString), version_id: versionId, updated_at: now })
      .where("name", "=", secret.name)
      .execute();
    return { ...secret, versionId, updatedAt: now };
  }

  /** Deletes now (force) or marks for deletion after a recovery window. */
  async delete(
    q: Queryable,
    id: string,
    o: { force: boolean; recoveryWindowDays: number },
  ): Promise<{ secret: StoredSecret; deletionDate: number }> {
    const secret = await this.find(q, id);
    if (!secret)
      throw new ProfileflowError("RESOURCE_NOT_FOUND", "Secrets Manager can't find the specified secret.");
    const now = this.clock.now();
    if (o.force) {
      await q.deleteFrom("secrets").where("name", "=", secret.name).execute();
      return { secret, deletionDate: now };
    }
    await q.updateTable("secrets").set({ deleted_at: now }).where("name", "=", secret.name).execute();
    return { secret: { ...secret, deletedAt: now }, deletionDate: now + o.recoveryWindowDays * 86_400_000 };
  }
}

function toSecret(row: Database["secrets"]): StoredSecret {
  return {
    name: row.name,
    arn: row.arn,
    description: row.description ?? undefined,
    kmsKeyId: row.kms_key_id ?? undefined,
    versionId: row.version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at ?? undefined,
  };
}
